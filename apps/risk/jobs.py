from apps.core.jobs import job
from apps.kyc.models import Business
from apps.risk.services import credit_scores_compute

CHUNK = 1000


# Not idempotent: every run adds a score row per business, so a redelivered message must not
# run it again (the task is not acks_late).
@job("risk_recalculation", idempotent=False, description="Rescore every verified business, a chunk at a time.")
def risk_recalculation(*, business_date):
    scored, last_id = 0, None
    base = Business.objects.filter(kyc_status=Business.KycStatus.VERIFIED).order_by("pk")
    while True:
        chunk = list((base.filter(pk__gt=last_id) if last_id else base)[:CHUNK])
        if not chunk:
            return {"scored": scored}
        scored += len(credit_scores_compute(businesses=chunk))
        last_id = chunk[-1].pk
