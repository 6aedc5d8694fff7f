"""Portfolio figures computed in the database: one conditional aggregate and one grouped count,
whatever the size of the book. Read from the replica when there is one (apps.core.replica)."""

from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from apps.core.business_date import get_business_date
from apps.core.money import ZERO
from apps.core.replica import use_replica
from apps.loans.models import Loan
from apps.repayments.delinquency import DPD_BUCKETS

LIVE = Q(status__in=Loan.LIVE_STATUSES)


def _sum(condition: Q):
    return Coalesce(Sum("outstanding_principal", filter=condition), Value(ZERO), output_field=DecimalField())


@use_replica()
def portfolio_summary() -> dict:
    aggregates = {"aum": _sum(LIVE), "active_loans": Count("id", filter=LIVE)}
    for cls in Loan.Classification.values:
        aggregates[f"cls_{cls}_count"] = Count("id", filter=LIVE & Q(asset_classification=cls))
        aggregates[f"cls_{cls}_amount"] = _sum(LIVE & Q(asset_classification=cls))
    for name, condition in DPD_BUCKETS.items():
        aggregates[f"dpd_{name}_count"] = Count("id", filter=LIVE & condition)
        aggregates[f"dpd_{name}_amount"] = _sum(LIVE & condition)
    row = Loan.objects.aggregate(**aggregates)
    grades = (
        Loan.objects.filter(LIVE)
        .values("offer__credit_grade")
        .annotate(count=Count("id"), amount=_sum(Q()))
        .order_by("offer__credit_grade")
    )
    aum = row["aum"]
    npa_amount = row["cls_NPA_amount"]
    return {
        "business_date": get_business_date(),
        "aum": aum,
        "active_loans": row["active_loans"],
        "npa_amount": npa_amount,
        "npa_ratio": (npa_amount / aum).quantize(Decimal("0.0001")) if aum else Decimal("0.0000"),
        "by_classification": {
            cls: {"count": row[f"cls_{cls}_count"], "amount": row[f"cls_{cls}_amount"]}
            for cls in Loan.Classification.values
        },
        "by_dpd_bucket": {
            name: {"count": row[f"dpd_{name}_count"], "amount": row[f"dpd_{name}_amount"]} for name in DPD_BUCKETS
        },
        "risk_distribution": {g["offer__credit_grade"]: {"count": g["count"], "amount": g["amount"]} for g in grades},
    }
