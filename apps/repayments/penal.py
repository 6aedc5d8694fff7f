"""Penal charges, as RBI's 2024 rules on penal charges have them: on an overdue installment,
`penal_rate_pct / 365` a day on its overdue EMI amount (principal and interest still unpaid),
simple — never on charges, never compounded, never added to the interest rate — into the
installment's `penalty_due`, posted to the ledger at each close of business.

Set-based like the rest of the close of business: the loans with an overdue installment not yet
charged to this date are gathered once, then walked in chunks, each in its own transaction with
one journal entry per loan (keyed by loan and date) and one UPDATE per table. Each installment
remembers the date it is charged through, so a re-run of a date adds nothing, and a night that
was skipped is charged by the next for every day since. A charge that rounds to nothing today is
not marked: its days add up to the next night's. The loan's classification at the start of the
night decides income or suspense (an NPA loan's penal charges are income only as they are paid).
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from apps.core.money import HUNDRED, ZERO, round_money
from apps.ledger import chart
from apps.ledger.bulk import EntrySpec, journal_post_many
from apps.repayments.delinquency import BEYOND
from apps.repayments.loan_chunks import LIVE, WHOLE_BOOK, Partition, add_to_loans, night_entry, walk_loan_chunks
from apps.repayments.loan_chunks import execute as _execute
from apps.repayments.loan_chunks import rows as _rows

DAYS_IN_YEAR = Decimal(365)

# What an installment still owes of its EMI, and whether it is due a charge for `day`.
_OVERDUE = "(i.principal_due + i.interest_due - i.principal_paid - i.interest_paid)"
_DUE = f"i.due_date < %(day)s AND {_OVERDUE} > 0 AND COALESCE(i.penal_accrued_through, i.due_date) < %(day)s"


_CANDIDATES_SQL = f"""
SELECT i.loan_id FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
WHERE l.status = ANY(%(live)s) AND {_DUE} AND {{part}}
"""


# Loan, then installments: the lock order every payment takes.
_LOCK_LOANS_SQL = """
SELECT l.id, l.borrower_id, l.asset_classification = %(npa)s, p.penal_rate_pct
FROM loans_loan l JOIN loans_loanproduct p ON p.id = l.product_id
WHERE l.id = ANY(%(ids)s) AND l.status = ANY(%(live)s) ORDER BY l.id FOR UPDATE OF l
"""

_INSTALLMENTS_SQL = f"""
SELECT i.id, i.loan_id, {_OVERDUE}, %(day)s - COALESCE(i.penal_accrued_through, i.due_date)
FROM loans_installment i WHERE i.loan_id = ANY(%(ids)s) AND {_DUE}
ORDER BY i.loan_id, i.number FOR UPDATE
"""


def penal_charge(overdue: Decimal, annual_rate_pct: Decimal, days: int) -> Decimal:
    """Simple penal interest on `overdue` for `days` days: a day's charge, to the paisa, times the
    days, so a night that was skipped and caught up charges what the nights would have."""
    return round_money(overdue * annual_rate_pct / HUNDRED / DAYS_IN_YEAR) * days


def _entry(day, loan_id, borrower_id, npa, amount) -> EntrySpec:
    return night_entry(
        day,
        "PENAL_CHARGE",
        "penal",
        loan_id,
        borrower_id,
        amount,
        debit=chart.CHARGES_RECEIVABLE,
        credit=chart.PENAL_SUSPENSE if npa else chart.PENAL_INCOME,
        memo="Penal charges on overdue EMIs" + (" (NPA: to suspense)" if npa else ""),
    )


def _charge_chunk(day: datetime.date, loan_ids: list) -> tuple[int, int]:
    loans = {row[0]: row[1:] for row in _rows(_LOCK_LOANS_SQL, {**LIVE, "npa": str(BEYOND), "ids": loan_ids})}
    if not loans:
        return 0, 0
    charged, per_loan = [], defaultdict(lambda: ZERO)
    for installment_id, loan_id, overdue, days in _rows(_INSTALLMENTS_SQL, {"day": day, "ids": list(loans)}):
        amount = penal_charge(overdue, loans[loan_id][2], days)
        if amount > 0:
            charged.append((installment_id, amount))
            per_loan[loan_id] += amount
    if not charged:
        return 0, 0
    entries = journal_post_many(
        [_entry(day, loan_id, *loans[loan_id][:2], amount) for loan_id, amount in per_loan.items()],
        business_date=day,
    )
    _execute(
        """UPDATE loans_installment i SET penalty_due = i.penalty_due + v.amount, penal_accrued_through = %(day)s,
               updated_at = now()
           FROM unnest(%(ids)s::uuid[], %(amounts)s::numeric[]) AS v(id, amount) WHERE i.id = v.id""",
        {"day": day, "ids": [row[0] for row in charged], "amounts": [row[1] for row in charged]},
    )
    add_to_loans("outstanding_penalty", "penal_suspense", per_loan, {pk: loans[pk][1] for pk in per_loan})
    return len(charged), entries


def accrue_penal_charges(day: datetime.date, part: Partition = WHOLE_BOOK) -> dict:
    charged, entries = walk_loan_chunks(
        "cob_penal_loans",
        _CANDIDATES_SQL.format(part=part.where("l")),
        {**LIVE, "day": day},
        lambda ids: _charge_chunk(day, ids),
    )
    return {"installments_penal_charged": charged, "penal_entries": entries}
