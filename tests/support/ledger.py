"""A plain two-line journal entry, for tests of the ledger itself."""

import datetime
from decimal import Decimal

from apps.ledger import chart
from apps.ledger.services import Line, journal_post

TODAY = datetime.date(2026, 11, 22)


def post(key="k1", amount="100.00", loan_id=None, entry_type="ADJUSTMENT"):
    """Post `amount` from the disbursement bank to loan principal under idempotency key `key`."""
    return journal_post(
        entry_type=entry_type,
        lines=[
            Line(chart.LOAN_PRINCIPAL, debit=Decimal(amount), loan_id=loan_id),
            Line(chart.BANK_DISBURSEMENT, credit=Decimal(amount), loan_id=loan_id),
        ],
        idempotency_key=key,
        business_date=TODAY,
        loan_id=loan_id,
    )
