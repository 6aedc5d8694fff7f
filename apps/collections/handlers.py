"""What collections does with the events lower apps emit through the outbox (apps/core/outbox.py).

Each handler runs in its own savepoint with a receipt, once per event; the cases' own services
hold the rules.
"""

import datetime
from decimal import Decimal

from apps.collections.case_sync import cases_sync
from apps.collections.cases import case_close_for_loan, case_payment_applied
from apps.core.business_date import last_closed_day
from apps.core.outbox import event_handler


def _day(event) -> datetime.date:
    return event.business_date or datetime.date.fromisoformat(event.payload["business_date"])


@event_handler("business_day.closed")
def sync_cases_after_close(event):
    """The cases follow the book as it stands, so they are synced for the newest closed day: when
    several days closed before the worker came (a catch-up), the older days' events do nothing
    and the newest one syncs (its lapsed-promise check covers the days between)."""
    day = _day(event)
    newest = last_closed_day()
    if newest is not None and day < newest:
        return
    cases_sync(day)


@event_handler("repayment.received")
def payment_reaches_case(event):
    payload = event.payload
    case_payment_applied(
        loan_id=payload["loan_id"],
        amount=Decimal(payload["amount"]),
        day=_day(event),
        repayment_id=payload["repayment_id"],
    )


@event_handler("loan.closed")
def close_case_of_closed_loan(event):
    case_close_for_loan(loan_id=event.aggregate_id, day=_day(event), why="loan closed")


@event_handler("loan.written_off")
def close_case_of_written_off_loan(event):
    case_close_for_loan(loan_id=event.aggregate_id, day=_day(event), why="loan written off")
