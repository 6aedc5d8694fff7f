"""Writing many planned repayments in a few statements: the set-based twin of `booking_write`.

The plan is the same (`plan_on_installment` / `plan_oldest_first` move installments and loans
in memory and build each repayment's ledger lines); only the writing is batched: one ledger
statement for every entry (`journal_post_many`, its balance rows locked in account order, so two
batches cannot deadlock on them), one INSERT of repayments, one UPDATE each of installments and
loans, one INSERT each of audit rows and outbox events. The rows written are the ones the
single writer writes; tests/repayments/test_bookings_many.py holds the two to that.
"""

import uuid

from django.utils import timezone

from apps.audit.services import record_each
from apps.core.bulk import rows_update
from apps.core.outbox import events_emit_many
from apps.ledger.bulk import EntrySpec, journal_post_many
from apps.ledger.services import source_of
from apps.loans.models import Installment, Loan
from apps.repayments.models import Repayment
from apps.repayments.services.payments import (
    INSTALLMENT_PAID_FIELDS,
    LOAN_OUTSTANDING_FIELDS,
    Booking,
    received_payload,
    repayment_entry_key,
)


def bookings_write_many(bookings: list[Booking], *, loans: list[Loan], today) -> list[Repayment]:
    """Write planned bookings of a system caller (a worker: no acting user) on `loans`, which the
    caller holds locked with their installments. Returns the repayments, in order."""
    if not bookings:
        return []
    specs = []
    for booking in bookings:
        repayment = booking.repayment
        if repayment.actor_id is not None or repayment.business_date != today:
            raise ValueError("bookings_write_many writes a system caller's bookings of one business date")
        repayment.journal_entry_id = uuid.uuid4()
        specs.append(
            EntrySpec(
                entry_type="REPAYMENT",
                idempotency_key=repayment_entry_key(repayment),
                lines=booking.lines,
                loan_id=repayment.loan_id,
                memo=booking.memo,
                entry_id=repayment.journal_entry_id,
                **source_of(repayment),
            )
        )
    posted = journal_post_many(specs, business_date=today)
    if posted != len(specs):  # fresh keys (the repayments' new ids): every one must be new
        raise RuntimeError(f"posted {posted} of {len(specs)} repayment entries")
    repayments = Repayment.objects.bulk_create([booking.repayment for booking in bookings])
    now = timezone.now()
    installments = [booking.installment for booking in bookings]
    for row in [*installments, *loans]:
        row.updated_at = now  # auto_now is save()'s; rows_update writes what is on the instance
    rows_update(Installment, installments, INSTALLMENT_PAID_FIELDS)
    rows_update(Loan, loans, LOAN_OUTSTANDING_FIELDS)
    record_each("repayment.received", [(booking.repayment, booking.audit_after) for booking in bookings])
    events_emit_many(
        "repayment.received",
        [(("loans.loan", repayment.loan_id), received_payload(repayment)) for repayment in repayments],
        business_date=today,
    )
    return repayments
