from django.db.models import Count, Max, Sum
from django.db.models.functions import Coalesce

from apps.loans.models import Loan
from apps.repayments.models import Bounce, Repayment

# A loan never disbursed has no repayment behaviour to speak of.
NEVER_DISBURSED = [Loan.Status.SANCTIONED, Loan.Status.CANCELLED]


def repayment_signals(business_ids) -> dict:
    """Repayment behaviour per business for the credit score (the keys apps.risk.rules reads),
    in one grouped query: worst DPD over its loans, total bounces, number of loans."""
    rows = (
        Loan.objects.filter(business_id__in=list(business_ids))
        .exclude(status__in=NEVER_DISBURSED)
        .values("business_id")
        .annotate(loans=Count("id"), max_dpd=Max("dpd"), bounces=Coalesce(Sum("bounce_count"), 0))
    )
    return {row.pop("business_id"): row for row in rows}


def loan_history(*, loan_id) -> list[dict]:
    """A loan's repayments and bounces, newest first, as one list of history items."""
    items = [
        {
            "type": "REPAYMENT",
            "id": r.pk,
            "at": r.created_at,
            "business_date": r.business_date,
            "amount": r.amount,
            "detail": {
                "kind": r.kind,
                "penalty": str(r.penalty),
                "interest": str(r.interest),
                "principal": str(r.principal),
                "installment_id": str(r.installment_id or ""),
            },
        }
        for r in Repayment.objects.filter(loan_id=loan_id)
    ] + [
        {
            "type": "BOUNCE",
            "id": b.pk,
            "at": b.created_at,
            "business_date": b.business_date,
            "amount": b.charge + b.gst,
            "detail": {"code": b.return_code_id, "installment_id": str(b.installment_id)},
        }
        for b in Bounce.objects.filter(loan_id=loan_id)
    ]
    items.sort(key=lambda item: item["at"], reverse=True)
    return items
