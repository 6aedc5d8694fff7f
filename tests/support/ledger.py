"""A plain two-line journal entry, for tests of the ledger itself; and the check that a loan's
books match its ledger."""

import datetime
from decimal import Decimal

from apps.ledger import chart
from apps.ledger.selectors import ledger_summary
from apps.ledger.services import Line, journal_post
from apps.repayments.selectors import outstanding_by_ledger

TODAY = datetime.date(2026, 11, 22)


def post(
    key="k1",
    amount="100.00",
    loan_id=None,
    entry_type="ADJUSTMENT",
    *,
    debit=chart.LOAN_PRINCIPAL,
    credit=chart.BANK_DISBURSEMENT,
    business_date=TODAY,
    memo="",
):
    """Post `amount` from `credit` (the disbursement bank) to `debit` (loan principal) under
    idempotency key `key`."""
    return journal_post(
        entry_type=entry_type,
        lines=[
            Line(debit, debit=Decimal(amount), loan_id=loan_id),
            Line(credit, credit=Decimal(amount), loan_id=loan_id),
        ],
        idempotency_key=key,
        business_date=business_date,
        loan_id=loan_id,
        memo=memo,
    )


def assert_books_match(loan):
    """What the loan says it is owed equals what the ledger holds against it, and the ledger balances."""
    loan.refresh_from_db()
    assert outstanding_by_ledger(loan) == {
        "principal": loan.outstanding_principal,
        "interest": loan.outstanding_interest,
        "penalty": loan.outstanding_penalty,
    }
    assert ledger_summary()["balanced"]
