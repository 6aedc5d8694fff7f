"""Portfolio figures computed in the database: one conditional aggregate and one grouped count,
whatever the size of the book. Read from the replica when there is one (apps.core.replica)."""

import datetime
from contextlib import contextmanager
from decimal import Decimal

from constance import config
from django.db import connections, router, transaction
from django.db.models import F, Sum

from apps.collections.models import CollectionCase
from apps.core.business_date import get_business_date
from apps.core.money import ZERO, round_money
from apps.core.replica import use_replica
from apps.ledger import chart
from apps.ledger.models import JournalLine
from apps.loans.models import INSTALLMENT_OWED_SQL, Installment, Loan
from apps.repayments.delinquency import BEYOND, BUCKETS, DPD_BUCKETS, classification_sql
from apps.reports.models import DailyMetrics

# A loan's DPD bucket is the classification its DPD alone gives (repayments.delinquency's one
# CASE, `classification_sql`), labelled as the reports label it ("0", "1-30", … "90+"); each
# label's lowest DPD gives the PAR numerators.
_DPD_CLASS_SQL, _DPD_CLASS_PARAMS = classification_sql("dpd")
_LABELS = dict(zip([*(str(cls) for _, cls in BUCKETS), str(BEYOND)], DPD_BUCKETS, strict=True))
BUCKET_FLOORS = dict(zip(DPD_BUCKETS, [0, *(ceiling + 1 for ceiling, _ in BUCKETS)], strict=True))

# The live book in one pass, grouped by classification, DPD bucket and credit grade: every book
# figure the portfolio report and the daily MIS need is a sum of these few rows. A loan whose
# grade is blank (sanctioned by a process still on the code before loans 0021, during a rolling
# deploy) is read from its offer: a lookup for those few rows only.
_BOOK_SQL = f"""
SELECT asset_classification, {_DPD_CLASS_SQL},
       CASE WHEN l.credit_grade <> '' THEN l.credit_grade
            ELSE (SELECT o.credit_grade FROM loans_offer o WHERE o.id = l.offer_id) END,
       count(*), coalesce(sum(outstanding_principal), 0)
FROM loans_loan l WHERE status = ANY(%(live)s)
GROUP BY 1, 2, 3
"""  # noqa: S608 (constant expressions)


@use_replica()
def book_snapshot() -> dict:
    """The live book: count and principal outstanding in all, by classification, by DPD bucket
    and by credit grade. `principal_past_dpd(book, n)` gives the PAR numerators."""
    with report_statements() as cursor:
        cursor.execute(_BOOK_SQL, {**_DPD_CLASS_PARAMS, "live": [str(s) for s in Loan.LIVE_STATUSES]})
        rows = cursor.fetchall()
    by_class = {cls: {"count": 0, "amount": ZERO} for cls in Loan.Classification.values}
    by_bucket = {label: {"count": 0, "amount": ZERO} for label in DPD_BUCKETS}
    by_grade: dict = {}
    for classification, by_dpd, grade, count, amount in rows:
        grade_group = by_grade.setdefault(grade, {"count": 0, "amount": ZERO})
        for group in (by_class[classification], by_bucket[_LABELS[by_dpd]], grade_group):
            group["count"] += count
            group["amount"] += amount
    return {
        "aum": sum((group["amount"] for group in by_class.values()), ZERO),
        "active_loans": sum(group["count"] for group in by_class.values()),
        "npa_amount": by_class[Loan.Classification.NPA]["amount"],
        "by_classification": by_class,
        "by_dpd_bucket": by_bucket,
        "by_grade": dict(sorted(by_grade.items())),
    }


def principal_past_dpd(book: dict, dpd: int) -> Decimal:
    """Principal outstanding of live loans more than `dpd` days past due (a bucket's ceiling)."""
    if dpd + 1 not in BUCKET_FLOORS.values():
        raise ValueError(f"{dpd} is not a DPD bucket ceiling")
    return sum((group["amount"] for label, group in book["by_dpd_bucket"].items() if BUCKET_FLOORS[label] > dpd), ZERO)


@use_replica()
def portfolio_summary() -> dict:
    book = book_snapshot()
    aum, npa_amount = book["aum"], book["npa_amount"]
    return {
        "business_date": get_business_date(),
        "aum": aum,
        "active_loans": book["active_loans"],
        "npa_amount": npa_amount,
        "npa_ratio": (npa_amount / aum).quantize(Decimal("0.0001")) if aum else Decimal("0.0000"),
        "by_classification": book["by_classification"],
        "by_dpd_bucket": book["by_dpd_bucket"],
        "risk_distribution": book["by_grade"],
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


@contextmanager
def report_statements():
    """A cursor for a report's few grouped statements over the book, run without JIT and without
    parallel workers: at a million loans they take tens to hundreds of milliseconds, and
    compiling them (half a second) or starting workers that each build the same hash costs more
    than it saves. SET LOCAL: the settings end with this transaction."""
    alias = router.db_for_read(Loan)  # the replica inside use_replica(), when there is one
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield cursor


# The aging report reads the collections book: each open case holds its loan's bucket, arrears
# and principal as the nightly sync left them and payments since have kept them
# (apps/collections/cases.py, case_payment_applied), so the report is one grouped read of
# ix_case_open_aging however large the book. Loans overdue below COLLECTIONS_OPEN_DPD have no
# case yet: they are read from the loans (ix_loan_overdue, a DPD range) with what their OVERDUE
# installments still owe (ix_installment_overdue_owed).
_AGING_CASES_SQL = """
SELECT bucket, status, count(*), coalesce(sum(principal_outstanding), 0), coalesce(sum(amount_overdue), 0)
FROM collections_collectioncase
WHERE status = ANY(%(open)s)
GROUP BY bucket, status
"""

_AGING_BEFORE_CASES_SQL = f"""
SELECT l.asset_classification, count(*), coalesce(sum(l.outstanding_principal), 0), coalesce(sum(o.amount), 0)
FROM loans_loan l
LEFT JOIN LATERAL (
    SELECT sum({INSTALLMENT_OWED_SQL}) AS amount FROM loans_installment i
    WHERE i.loan_id = l.id AND i.status = 'OVERDUE'
) o ON true
WHERE l.dpd > 0 AND l.dpd < %(open_dpd)s AND l.status = ANY(%(live)s)
GROUP BY l.asset_classification
"""  # noqa: S608 (a constant expression)


@use_replica()
def aging_report(day=None) -> dict:
    """Loans past due by bucket (SMA-0 … NPA) as the last close of business classified them:
    how many, their principal outstanding and what is still overdue on them (payments since the
    close count), and their open collection cases by status. `day` labels the answer (the
    business date)."""
    day = day or get_business_date()
    params = {
        "live": [str(s) for s in Loan.LIVE_STATUSES],
        "open": [str(s) for s in CollectionCase.OPEN_STATUSES],
        "open_dpd": max(1, config.COLLECTIONS_OPEN_DPD),
    }
    loans: dict = {}
    cases: dict = {}

    def add(bucket, n, principal, owed):
        count, total_principal, total_owed = loans.get(bucket, (0, ZERO, ZERO))
        loans[bucket] = (count + n, total_principal + principal, total_owed + owed)

    with report_statements() as cursor:
        cursor.execute(_AGING_CASES_SQL, params)
        for bucket, case_status, n, principal, owed in cursor.fetchall():
            cases.setdefault(bucket, {})[case_status] = n
            add(bucket, n, principal, owed)
        cursor.execute(_AGING_BEFORE_CASES_SQL, params)
        for bucket, n, principal, owed in cursor.fetchall():
            add(bucket, n, principal, owed)
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
