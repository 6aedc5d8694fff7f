"""The nightly close of business for one business date, set-based (a few SQL statements over
the whole book, interest posted to the ledger in chunks), idempotent when run again:

1. interest falling due is accrued (Dr interest receivable, Cr interest income; for an NPA
   loan Cr interest suspense) — one journal entry per loan and business date;
1b. penal charges run on every overdue EMI (apps/repayments/penal.py): `penal_rate_pct / 365`
   a day on the overdue principal and interest, simple, into `penalty_due` (Dr charges
   receivable, Cr penal income; for an NPA loan Cr penal suspense);
2. past-due installments are OVERDUE; DPD = days since the oldest unpaid due date; a loan with
   DPD > 0 is OVERDUE, one back at 0 is ACTIVE;
3. classification by DPD, NPA borrower-wide and sticky until every arrear is paid; a loan
   turning NPA is DEFAULTED and its unrealised interest moves to suspense; a DEFAULTED loan
   with every arrear paid is upgraded to ACTIVE;
4. a history row per classification change, audit rows per status change, counts returned.

Status changes go through the loan FSM's set-based door (apps/loans/transitions.py): one UPDATE
per source state the transition allows, with the audit rows its one-row path writes. The live
set and the RBI buckets come from their one definitions (Loan.LIVE_STATUSES, delinquency.BUCKETS)
and reach the SQL as parameters.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from apps.audit.services import record_many
from apps.core.business_date import business_day_closed
from apps.core.outbox import event_emit, events_emit_sql
from apps.ledger import chart
from apps.ledger.bulk import journal_post_many
from apps.loans.models import Loan
from apps.loans.transitions import LOAN_CURRENT, LOAN_DEFAULTED, LOAN_OVERDUE, LOAN_UPGRADED
from apps.repayments.delinquency import BEYOND, NPA_AFTER, classification_sql
from apps.repayments.loan_chunks import CHUNK, LIVE, walk_loan_chunks
from apps.repayments.loan_chunks import execute as _execute
from apps.repayments.loan_chunks import night_entry as _entry
from apps.repayments.loan_chunks import rows as _rows
from apps.repayments.penal import accrue_penal_charges

# Loans with interest falling due and not yet accrued, gathered once per run into a temporary
# table so the chunks below walk it by key (flat memory, no re-scan of the installments).
_CANDIDATES_SQL = [
    "CREATE TEMPORARY TABLE IF NOT EXISTS cob_due_loans (loan_id uuid PRIMARY KEY)",
    "TRUNCATE cob_due_loans",
    """INSERT INTO cob_due_loans
       SELECT DISTINCT loan_id FROM loans_installment WHERE NOT interest_accrued AND due_date <= %(day)s""",
]

# Lock order is loan, then installments: the order every payment takes, so a payment arriving
# during the close of business waits instead of deadlocking.
_LOCK_LOANS_SQL = """
SELECT id, borrower_id, asset_classification = %(npa)s FROM loans_loan
WHERE id = ANY(%(ids)s) AND status = ANY(%(live)s) ORDER BY id FOR UPDATE
"""

_DUE_SQL = """
SELECT id, loan_id, interest_due - interest_paid FROM loans_installment
WHERE loan_id = ANY(%(ids)s) AND due_date <= %(day)s AND NOT interest_accrued
ORDER BY loan_id, number FOR UPDATE
"""


def _accrue_chunk(day: datetime.date, loan_ids: list) -> tuple[int, int]:
    loans = {row[0]: (row[1], row[2]) for row in _rows(_LOCK_LOANS_SQL, {**LIVE, "npa": str(BEYOND), "ids": loan_ids})}
    if not loans:
        return 0, 0
    rows = _rows(_DUE_SQL, {"day": day, "ids": list(loans)})
    per_loan: dict = defaultdict(Decimal)
    for _, loan_id, amount in rows:
        per_loan[loan_id] += amount
    specs = []
    for loan_id, amount in per_loan.items():
        borrower_id, npa = loans[loan_id]
        if amount <= 0:
            continue
        specs.append(
            _entry(
                day,
                "INTEREST_DUE",
                "interest",
                loan_id,
                borrower_id,
                amount,
                debit=chart.INTEREST_RECEIVABLE,
                credit=chart.INTEREST_SUSPENSE if npa else chart.INTEREST_INCOME,
                memo="Interest falling due" + (" (NPA: to suspense)" if npa else ""),
            )
        )
    entries = journal_post_many(specs, business_date=day)
    _execute(
        "UPDATE loans_installment SET interest_accrued = true, updated_at = now() WHERE id = ANY(%(ids)s)",
        {"ids": [row[0] for row in rows]},
    )
    _execute(
        """UPDATE loans_loan l SET outstanding_interest = l.outstanding_interest + v.amount,
               interest_suspense = l.interest_suspense + CASE WHEN v.npa THEN v.amount ELSE 0 END,
               updated_at = now()
           FROM unnest(%(loans)s::uuid[], %(amounts)s::numeric[], %(npas)s::bool[]) AS v(loan_id, amount, npa)
           WHERE l.id = v.loan_id""",
        {
            "loans": list(per_loan),
            "amounts": list(per_loan.values()),
            "npas": [loans[loan_id][1] for loan_id in per_loan],
        },
    )
    return len(rows), entries


def accrue_interest(day: datetime.date) -> dict:
    accrued, entries = walk_loan_chunks(
        "cob_due_loans", _CANDIDATES_SQL, {"day": day}, lambda ids: _accrue_chunk(day, ids)
    )
    return {"installments_accrued": accrued, "interest_entries": entries}


def update_delinquency(day: datetime.date) -> dict:
    params = {**LIVE, "day": day}
    dpd_set = _execute(
        """WITH oldest AS (
                SELECT loan_id, min(due_date) AS due FROM loans_installment
                WHERE status <> 'PAID' AND due_date < %(day)s GROUP BY loan_id)
            UPDATE loans_loan l SET dpd = %(day)s - oldest.due, updated_at = now()
            FROM oldest WHERE l.id = oldest.loan_id AND l.status = ANY(%(live)s) AND l.dpd <> %(day)s - oldest.due""",
        params,
    )
    dpd_cleared = _execute(
        """UPDATE loans_loan l SET dpd = 0, updated_at = now()
            WHERE l.status = ANY(%(live)s) AND l.dpd > 0 AND NOT EXISTS (
                SELECT 1 FROM loans_installment i
                WHERE i.loan_id = l.id AND i.status <> 'PAID' AND i.due_date < %(day)s)""",
        params,
    )
    reason = f"close of business {day}"
    to_overdue = LOAN_OVERDUE.many(Loan.objects.filter(dpd__gt=0), reason=reason)
    to_active = LOAN_CURRENT.many(Loan.objects.filter(dpd=0), reason=reason)
    return {
        "dpd_updated": dpd_set + dpd_cleared,
        "loans_overdue": len(to_overdue),
        "loans_current": len(to_active),
    }


_CLASSIFY_CASE, _CLASSIFY_PARAMS = classification_sql("l.dpd")
_CLASSIFY_SQL = f"""
WITH npa_borrowers AS (
    SELECT DISTINCT borrower_id FROM loans_loan
    WHERE status = ANY(%(live)s)
      AND (dpd > %(npa_after)s OR (asset_classification = %(npa)s AND (dpd > 0 OR outstanding_penalty > 0)))
), target AS (
    SELECT l.id, l.asset_classification AS old, l.dpd,
           CASE WHEN nb.borrower_id IS NOT NULL THEN %(npa)s ELSE {_CLASSIFY_CASE} END AS new
    FROM loans_loan l LEFT JOIN npa_borrowers nb ON nb.borrower_id = l.borrower_id
    WHERE l.status = ANY(%(live)s)
), changed AS (
    UPDATE loans_loan l SET asset_classification = target.new, updated_at = now()
    FROM target WHERE l.id = target.id AND target.new <> target.old
    RETURNING l.id, target.old, target.new, target.dpd
), history AS (
    INSERT INTO repayments_loanclassificationhistory
        (loan_id, business_date, from_classification, to_classification, dpd, created_at)
    SELECT id, %(day)s, old, new, dpd, now() FROM changed
)
SELECT id, old, new FROM changed
"""


def classify_book(day: datetime.date) -> dict:
    changed = _rows(_CLASSIFY_SQL, {**LIVE, **_CLASSIFY_PARAMS, "npa": str(BEYOND), "npa_after": NPA_AFTER, "day": day})
    for old, new in {(row[1], row[2]) for row in changed}:
        record_many(
            "loan.classified",
            object_type="loans.loan",
            object_ids=[row[0] for row in changed if (row[1], row[2]) == (old, new)],
            before={"asset_classification": old},
            after={"asset_classification": new},
            reason=f"close of business {day}",
        )
    if changed:
        # For partners (webhooks), one event per loan, written by the statement that reads them.
        events_emit_sql(
            "loan.classification_changed",
            aggregate_type="loans.loan",
            select_sql="""SELECT t.id, jsonb_build_object('loan_id', t.id::text, 'from', t.old, 'to', t.new,
                              'business_date', %(day)s::text)
                          FROM unnest(%(ids)s::uuid[], %(olds)s::text[], %(news)s::text[]) AS t (id, old, new)""",
            params={
                "day": day,
                "ids": [row[0] for row in changed],
                "olds": [row[1] for row in changed],
                "news": [row[2] for row in changed],
            },
            business_date=day,
        )
    to_npa = [row[0] for row in changed if row[2] == BEYOND]
    suspense = move_interest_to_suspense(day, to_npa)
    defaulted = LOAN_DEFAULTED.many(Loan.objects.filter(asset_classification=BEYOND), reason=f"classified NPA on {day}")
    # Only a loan this run lifted out of NPA is upgraded: a loan DEFAULTED for another reason
    # (a second bounce, an ADMIN override) stays DEFAULTED whatever its arrears.
    lifted = [row[0] for row in changed if row[1] == BEYOND and row[2] != BEYOND]
    upgraded = LOAN_UPGRADED.many(
        Loan.objects.filter(pk__in=lifted, dpd=0, outstanding_penalty=0), reason=f"every arrear paid by {day}"
    )
    return {
        "classification_changes": len(changed),
        "to_npa": len(to_npa),
        "loans_defaulted": len(defaulted),
        "loans_upgraded": len(upgraded),
        "suspense_entries": suspense,
    }


def move_interest_to_suspense(day: datetime.date, loan_ids: list) -> int:
    """Interest accrued as income but unpaid when a loan turns NPA is reversed into suspense."""
    rows = _rows(
        """SELECT id, borrower_id, outstanding_interest - interest_suspense FROM loans_loan
           WHERE id = ANY(%(ids)s) AND outstanding_interest > interest_suspense FOR UPDATE""",
        {"ids": loan_ids},
    )
    posted = 0
    for start in range(0, len(rows), CHUNK):  # bounded memory on a night many loans turn NPA
        chunk = rows[start : start + CHUNK]
        specs = [
            _entry(
                day,
                "SUSPENSE",
                "suspense",
                loan_id,
                borrower_id,
                amount,
                debit=chart.INTEREST_INCOME,
                credit=chart.INTEREST_SUSPENSE,
                memo="NPA: unrealised interest to suspense",
            )
            for loan_id, borrower_id, amount in chunk
        ]
        posted += journal_post_many(specs, business_date=day)
        _execute(
            "UPDATE loans_loan SET interest_suspense = outstanding_interest WHERE id = ANY(%(ids)s)",
            {"ids": [row[0] for row in chunk]},
        )
    return posted


def mark_installments_overdue(day: datetime.date) -> dict:
    """Last in the transaction: the loans are written first, the lock order payments take."""
    marked = _execute(
        """UPDATE loans_installment i SET status = 'OVERDUE', updated_at = now()
            FROM loans_loan l
            WHERE l.id = i.loan_id AND l.status = ANY(%(live)s)
              AND i.status IN ('PENDING', 'PARTIALLY_PAID') AND i.due_date < %(day)s""",
        {**LIVE, "day": day},
    )
    return {"installments_overdue": marked}


def close_of_business(day: datetime.date) -> dict:
    counts = accrue_interest(day)
    counts.update(accrue_penal_charges(day))
    with transaction.atomic():
        counts.update(update_delinquency(day))
        counts.update(classify_book(day))
        counts.update(mark_installments_overdue(day))
        business_day_closed(day=day)
        # Higher apps finish the night from here (collections syncs its cases), after commit.
        event_emit(
            "business_day.closed",
            aggregate=("core.businessdate", day.isoformat()),
            payload={"business_date": day.isoformat()},
            business_date=day,
        )
    return counts
