"""Portfolio figures computed in the database: one conditional aggregate and one grouped count,
whatever the size of the book. Read from the replica when there is one (apps.core.replica)."""

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from apps.collections.models import CollectionCase
from apps.core.business_date import get_business_date
from apps.core.money import ZERO, round_money
from apps.core.replica import use_replica
from apps.ledger import chart
from apps.ledger.models import JournalLine
from apps.loans.models import INSTALLMENT_OWED_SQL, Installment, Loan
from apps.repayments.delinquency import DPD_BUCKETS
from apps.reports.models import DailyMetrics

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


def _ledger_sum(day, *, entry_types, account_code, side: str) -> Decimal:
    """One day's movement on one account, by entry type: ix_entry_date_type finds the day's
    entries, ix_line_account_entry their lines on the account."""
    total = JournalLine.objects.filter(
        entry__business_date=day, entry__entry_type__in=entry_types, account__code=account_code
    ).aggregate(s=Sum(side))["s"]
    return round_money(total or ZERO)


def day_flows(day) -> dict:
    """Disbursed (principal paid out) and collected (money into the collection account) on `day`."""
    return {
        "disbursed": _ledger_sum(day, entry_types=["DISBURSEMENT"], account_code=chart.LOAN_PRINCIPAL, side="debit"),
        "collected": _ledger_sum(
            day, entry_types=["REPAYMENT", "RECOVERY"], account_code=chart.BANK_COLLECTIONS, side="debit"
        ),
    }


def due_and_paid_between(first, last) -> dict:
    """What fell due on installments due from `first` through `last`, and how much of it is paid."""
    row = Installment.objects.filter(due_date__gte=first, due_date__lte=last).aggregate(
        due=Sum(F("principal_due") + F("interest_due") + F("penalty_due")),
        paid=Sum(F("principal_paid") + F("interest_paid") + F("penalty_paid")),
    )
    return {"due": round_money(row["due"] or ZERO), "paid": round_money(row["paid"] or ZERO)}


def collection_efficiency(metrics) -> Decimal | None:
    """Month to date: paid against what fell due, as a fraction (None when nothing fell due)."""
    if not metrics.due_mtd:
        return None
    return (metrics.paid_against_due_mtd / metrics.due_mtd).quantize(Decimal("0.0001"))


def metrics_latest(day):
    """The newest daily figures on or before `day` (None before the first run)."""
    return DailyMetrics.objects.filter(business_date__lte=day).first()


def metrics_window(day, *, days: int = 30) -> list:
    """The daily figures of the `days` days through `day`, oldest first."""
    start = day - datetime.timedelta(days=days - 1)
    return list(DailyMetrics.objects.filter(business_date__gte=start, business_date__lte=day).order_by("business_date"))


AGING_BUCKETS = ("SMA_0", "SMA_1", "SMA_2", "NPA")

# Driven from the installments (the partial index of unpaid ones by due date finds exactly the
# overdue ones, summed per loan) and joined to the overdue loans by id: a million loans cost
# what their overdue installments cost, not a lookup per loan.
_AGING_SQL = f"""
WITH owed AS (
    SELECT loan_id, sum({INSTALLMENT_OWED_SQL}) AS amount
    FROM loans_installment
    WHERE status <> 'PAID' AND due_date < %(day)s
    GROUP BY loan_id
)
SELECT l.asset_classification, count(*), sum(l.outstanding_principal), coalesce(sum(o.amount), 0)
FROM loans_loan l LEFT JOIN owed o ON o.loan_id = l.id
WHERE l.dpd > 0 AND l.status = ANY(%(live)s)
GROUP BY l.asset_classification
"""  # noqa: S608 (a constant expression)

_AGING_CASES_SQL = """
SELECT bucket, status, count(*) FROM collections_collectioncase
WHERE status = ANY(%(open)s) GROUP BY bucket, status
"""


@use_replica()
def aging_report(day=None) -> dict:
    """Live loans past due by bucket (SMA-0 … NPA) for the business date: how many, their
    principal outstanding, what is overdue on them, and their open collection cases by status."""
    day = day or get_business_date()
    params = {
        "day": day,
        "live": [str(s) for s in Loan.LIVE_STATUSES],
        "open": [str(s) for s in CollectionCase.OPEN_STATUSES],
    }
    with connection.cursor() as cursor:
        cursor.execute(_AGING_SQL, params)
        loans = {bucket: (n, principal, owed) for bucket, n, principal, owed in cursor.fetchall()}
        cursor.execute(_AGING_CASES_SQL, params)
        cases: dict = {}
        for bucket, case_status, n in cursor.fetchall():
            cases.setdefault(bucket, {})[case_status] = n
    buckets = []
    for bucket in AGING_BUCKETS:
        n, principal, owed = loans.get(bucket, (0, ZERO, ZERO))
        buckets.append(
            {
                "bucket": bucket,
                "loans": n,
                "amount_overdue": round_money(owed),
                "principal_outstanding": round_money(principal),
                "cases": cases.get(bucket, {}),
            }
        )
    totals_cases: dict = {}
    for row in buckets:
        for case_status, n in row["cases"].items():
            totals_cases[case_status] = totals_cases.get(case_status, 0) + n
    totals = {
        "loans": sum(row["loans"] for row in buckets),
        "amount_overdue": sum((row["amount_overdue"] for row in buckets), ZERO),
        "principal_outstanding": sum((row["principal_outstanding"] for row in buckets), ZERO),
        "cases": totals_cases,
    }
    return {"business_date": day, "buckets": buckets, "totals": totals}
