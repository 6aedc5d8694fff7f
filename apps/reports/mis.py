"""The daily MIS (API.md "Collections", the daily metrics keys): one business date's figures,
computed in the database with a handful of grouped queries and stored on DailyMetrics.

Definitions (all for business date D; money as strings with two decimals, ratios as strings
with four decimals):

- applications: invoices submitted on D (the India date of their creation).
- offers_accepted: loans sanctioned on D (one per accepted offer).
- disbursed_count, disbursed_amount: loans disbursed on D, and the net amount paid out.
- collections_due: principal and interest of installments falling due on D.
- collections_received: repayments booked on D (every channel, every installment).
- collection_efficiency: of what fell due on D, the share paid by the time of computing.
- bounces: EMI bounces recorded on D.
- new_sma, new_npa: loans the close of business of D moved from STANDARD into SMA-0/1/2, and
  from any other class into NPA.
- npa_amount: principal outstanding of live NPA loans; par_30, par_90: principal outstanding
  of live loans more than 30 (90) days past due over all live principal outstanding. These
  three describe the book as it stands, so they are computed only for the newest closed day
  (or the business date) and stored; for an older date they are missing, not guessed.
- cases_opened, cases_closed (paid or closed), ptp_kept, ptp_broken: collection case events
  dated D.

A figure that cannot be known for D is named in `missing_metrics` and left null: the
classification and case figures of a day whose close of business has not run, the book's
snapshot figures of a past date.
"""

import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from apps.core.business_date import get_business_date, last_closed_day
from apps.reports.selectors import book_snapshot, principal_past_dpd

RATIO = Decimal("0.0001")

KEYS = (
    "applications",
    "offers_accepted",
    "disbursed_count",
    "disbursed_amount",
    "collections_due",
    "collections_received",
    "collection_efficiency",
    "bounces",
    "new_sma",
    "new_npa",
    "npa_amount",
    "par_30",
    "par_90",
    "cases_opened",
    "cases_closed",
    "ptp_kept",
    "ptp_broken",
)
# Known only once D's close of business has run (classification history, the case sync).
AFTER_CLOSE = ("new_sma", "new_npa", "cases_opened", "cases_closed", "ptp_broken")
# The book as it stands: only for the newest day.
SNAPSHOT = ("npa_amount", "par_30", "par_90")

SOURCES = {
    "applications": "invoices_invoice.created_at (India date)",
    "offers_accepted": "loans_loan.sanctioned_on",
    "disbursed_count": "loans_loan.disbursed_on",
    "disbursed_amount": "loans_loan.disbursed_amount by disbursed_on",
    "collections_due": "loans_installment principal_due + interest_due by due_date",
    "collections_received": "repayments_repayment.amount by business_date",
    "collection_efficiency": "loans_installment paid / due, installments due on the date",
    "bounces": "repayments_bounce.business_date",
    "new_sma": "repayments_loanclassificationhistory",
    "new_npa": "repayments_loanclassificationhistory",
    "npa_amount": "loans_loan outstanding_principal, live NPA loans",
    "par_30": "loans_loan outstanding_principal, live loans, dpd > 30",
    "par_90": "loans_loan outstanding_principal, live loans, dpd > 90",
    "cases_opened": "collections_caseevent CASE_CREATED",
    "cases_closed": "collections_caseevent CASE_PAID + CASE_CLOSED",
    "ptp_kept": "collections_caseevent PTP_KEPT",
    "ptp_broken": "collections_caseevent PTP_BROKEN",
}

_FLOWS_SQL = """
SELECT
  (SELECT count(*) FROM invoices_invoice
     WHERE created_at >= %(start)s AND created_at < %(end)s),
  (SELECT count(*) FROM loans_loan WHERE sanctioned_on = %(day)s),
  (SELECT count(*) FROM loans_loan WHERE disbursed_on = %(day)s),
  (SELECT coalesce(sum(disbursed_amount), 0) FROM loans_loan WHERE disbursed_on = %(day)s),
  (SELECT coalesce(sum(principal_due + interest_due), 0) FROM loans_installment WHERE due_date = %(day)s),
  (SELECT coalesce(sum(principal_paid + interest_paid), 0) FROM loans_installment WHERE due_date = %(day)s),
  (SELECT coalesce(sum(amount), 0) FROM repayments_repayment WHERE business_date = %(day)s),
  (SELECT count(*) FROM repayments_bounce WHERE business_date = %(day)s),
  (SELECT count(*) FROM repayments_loanclassificationhistory
     WHERE business_date = %(day)s AND from_classification = 'STANDARD' AND to_classification LIKE 'SMA%%'),
  (SELECT count(*) FROM repayments_loanclassificationhistory
     WHERE business_date = %(day)s AND from_classification <> 'NPA' AND to_classification = 'NPA')
"""

_CASES_SQL = """
SELECT type, count(*) FROM collections_caseevent
WHERE business_date = %(day)s AND type IN ('CASE_CREATED', 'CASE_PAID', 'CASE_CLOSED', 'PTP_KEPT', 'PTP_BROKEN')
GROUP BY type
"""


def _money(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


def _ratio(part, whole) -> str | None:
    return f"{(Decimal(part) / Decimal(whole)).quantize(RATIO)}" if whole else None


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    return start, start + datetime.timedelta(days=1)


def snapshot_day() -> datetime.date:
    """The one day whose snapshot figures can be computed: the newest closed day, else today."""
    return last_closed_day() or get_business_date()


def compute_metrics(day: datetime.date, *, book: dict | None = None) -> dict:
    """{"metrics": {key: value or None}, "missing_metrics": [...], "notes": [...], "sources": {...}}.

    `book`: the caller's `book_snapshot()` of this moment, if it has one (read once, not twice)."""
    start, end = _day_bounds(day)
    params = {"day": day, "start": start, "end": end}
    with connection.cursor() as cursor:
        cursor.execute(_FLOWS_SQL, params)
        applications, accepted, disbursed_n, disbursed, due, paid_on_due, received, bounces, sma, npa = (
            cursor.fetchone()
        )
        cursor.execute(_CASES_SQL, params)
        cases = dict(cursor.fetchall())
    book = (book or book_snapshot()) if day == snapshot_day() else None
    metrics = {
        "applications": applications,
        "offers_accepted": accepted,
        "disbursed_count": disbursed_n,
        "disbursed_amount": _money(disbursed),
        "collections_due": _money(due),
        "collections_received": _money(received),
        "collection_efficiency": _ratio(paid_on_due, due),
        "bounces": bounces,
        "new_sma": sma,
        "new_npa": npa,
        "cases_opened": cases.get("CASE_CREATED", 0),
        "cases_closed": cases.get("CASE_PAID", 0) + cases.get("CASE_CLOSED", 0),
        "ptp_kept": cases.get("PTP_KEPT", 0),
        "ptp_broken": cases.get("PTP_BROKEN", 0),
    }
    notes = []
    missing = []
    if book is not None:
        total = book["aum"]
        metrics.update(
            npa_amount=_money(book["npa_amount"]),
            par_30=_ratio(principal_past_dpd(book, 30), total),
            par_90=_ratio(principal_past_dpd(book, 90), total),
        )
    else:
        missing += SNAPSHOT
        notes.append(f"npa_amount, par_30 and par_90 describe the book as it stands: known only for {snapshot_day()}.")
    closed = last_closed_day()
    if closed is None or day > closed:
        missing += [key for key in AFTER_CLOSE if key not in missing]
        notes.append(f"The close of business of {day} has not run: its classification and case figures are not known.")
    if not due:
        notes.append("Nothing fell due on this date: collection_efficiency does not apply.")
    for key in missing:
        metrics[key] = None
    metrics = {key: metrics.get(key) for key in KEYS}
    return {"metrics": metrics, "missing_metrics": missing, "notes": notes, "sources": SOURCES}
