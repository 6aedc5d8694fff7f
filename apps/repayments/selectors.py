from django.db.models import Count, Max, Sum
from django.db.models.functions import Coalesce

from apps.loans.models import Loan

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
