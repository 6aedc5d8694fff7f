"""`payment.succeeded` events applied many at a time: the set-based twin of `intent_paid`.

The rail's webhooks arrive by the hundred a second on a busy day, and one event at a time the
worker spends most of its time in Django building ~18 statements per payment. Here a batch
of plain payments is applied in about a dozen statements in all: the intents, the UTRs, the
loans and their unpaid installments are read and locked once each (every lock in id order, so
two batches cannot deadlock), each payment is planned with the same rules as one at a time
(`plan_oldest_first`), and the rows are written by `bookings_write_many`.

A plain payment is one `intent_paid` would book entirely to installments and after which the loan
still owes an installment. Anything else goes back to the caller for the one-at-a-time path:
a malformed event, an unknown or already settled intent, a UTR already booked or twice in the
batch, a loan with a second payment in the batch, a loan not live, a payment that would
park an excess or settle the loan (parking and closing stay in one place, `intent_paid`).
tests/payments/test_intents_bulk.py holds the two paths to the same rows.
"""

import uuid
from collections import Counter, defaultdict

from django.utils import timezone

from apps.audit.services import record_each
from apps.core.bulk import rows_update
from apps.core.business_date import get_business_date
from apps.core.errors import InvalidInput
from apps.core.money import ZERO
from apps.loans.models import Loan
from apps.payments.intents import SUCCEEDED_FIELDS, paid_result, succeeded_audit, utr_of, utrs_booked
from apps.payments.models import PaymentIntent
from apps.payments.webhooks import applies_many
from apps.repayments.services import parse_amount
from apps.repayments.services.bulk import bookings_write_many
from apps.repayments.services.payments import plan_oldest_first, unpaid_installments_locked

OPEN = (PaymentIntent.Status.CREATED, PaymentIntent.Status.PRESENTED)


def _ask(data: dict):
    """(intent id, amount, utr) of a well-formed event, else None (the single path says why)."""
    try:
        intent_id = uuid.UUID(str(data.get("intent_id")))
        amount = parse_amount(data.get("amount"))
    except (ValueError, InvalidInput):
        return None
    utr = utr_of(data.get("utr"))
    return (intent_id, amount, utr) if utr else None


@applies_many("payment.succeeded")
def intents_paid_many(events) -> tuple[dict, list]:
    """Apply the plain payments among `events` (claimed and locked by the caller). Returns
    ({event pk: result}, the events left for `intent_paid`)."""
    rest, asks = [], {}
    for event in events:
        ask = _ask(event.data)
        if ask is None:
            rest.append(event)
        else:
            asks[event] = ask
    intents = {
        intent.pk: intent
        for intent in PaymentIntent.objects.select_for_update()
        .filter(pk__in={a[0] for a in asks.values()})
        .order_by("pk")
    }
    booked = utrs_booked({utr for _, _, utr in asks.values()})
    utr_count = Counter(utr for _, _, utr in asks.values())
    loan_count = Counter(intents[a[0]].loan_id for a in asks.values() if a[0] in intents)
    candidates = []
    for event, (intent_id, amount, utr) in asks.items():
        intent = intents.get(intent_id)
        plain = (
            intent is not None
            and intent.status in OPEN
            and utr not in booked
            and utr_count[utr] == 1
            and loan_count[intent.loan_id] == 1
        )
        if plain:
            candidates.append((event, intent, amount, utr))
        else:
            rest.append(event)
    if not candidates:
        return {}, rest

    loan_ids = sorted({intent.loan_id for _, intent, _, _ in candidates})
    loans = {
        loan.pk: loan
        for loan in Loan.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk__in=loan_ids)
        .order_by("pk")
    }
    unpaid = defaultdict(list)
    for installment in unpaid_installments_locked(loan_ids):
        unpaid[installment.loan_id].append(installment)
    today = get_business_date()
    bookings, paid, touched = [], [], []
    for event, intent, amount, utr in candidates:
        loan = loans[intent.loan_id]
        owed = sum((installment.owed for installment in unpaid[loan.pk]), ZERO)
        if not loan.is_live or amount >= owed:  # an excess to park, or the loan to settle
            rest.append(event)
            continue
        planned, left = plan_oldest_first(
            loan, unpaid[loan.pk], amount, today=today, actor=None, channel=str(intent.method), reference=utr
        )
        intent.succeed(utr=utr, amount_received=amount, repayment=planned[0].repayment)
        bookings.extend(planned)
        paid.append((event, intent, [booking.repayment for booking in planned], left))
        touched.append(loan)
    if not paid:
        return {}, rest

    bookings_write_many(bookings, loans=touched, today=today)
    now = timezone.now()
    for _, intent, _, _ in paid:
        intent.updated_at = now
    rows_update(PaymentIntent, [intent for _, intent, _, _ in paid], SUCCEEDED_FIELDS)
    record_each(
        "payment_intent.succeeded",
        [(intent, succeeded_audit(intent, rows, left)) for _, intent, rows, left in paid],
    )
    return {event.pk: paid_result(rows, left) for event, _, rows, left in paid}, rest
