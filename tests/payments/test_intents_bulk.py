"""The rail's payments applied a batch at a time (apps.payments.intents_bulk) write exactly what
applying them one at a time writes, hand back what they should not decide, take their locks so
two workers' batches never deadlock, and fall back whole when anything goes wrong."""

import itertools
import json
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from apps.audit.models import AuditLog
from apps.core.models import Event
from apps.core.signatures import sign
from apps.ledger.balances import find_drift
from apps.ledger.models import JournalLine
from apps.loans.models import Loan
from apps.payments import intents_bulk, webhooks
from apps.payments.models import PaymentIntent, UnappliedCredit, WebhookEvent
from apps.payments.webhooks import webhook_events_apply, webhook_receive
from apps.repayments.models import Repayment
from tests.support.concurrency import race
from tests.support.days import close_day, days_after
from tests.support.ledger import assert_books_match
from tests.support.lending import make_loan
from tests.support.users import make_user

pytestmark = pytest.mark.django_db

_events = itertools.count(1)
SLOTS = 3  # loans per book


def _books(*borrowers, size=SLOTS) -> list[list[Loan]]:
    """`size` loans for each borrower, made the same day, then two installments overdue with
    penal charges."""
    books = [[make_loan(borrower, amount="30000.00") for _ in range(size)] for borrower in borrowers]
    close_day(days_after(books[0][0], 2, 3))
    for loan in itertools.chain(*books):
        loan.refresh_from_db()
    return books


def _book(borrower, size=SLOTS) -> list[Loan]:
    return _books(borrower, size=size)[0]


def _event(intent, amount, utr) -> WebhookEvent:
    body = json.dumps(
        {
            "id": f"evt_bulk_{next(_events)}",
            "type": "payment.succeeded",
            "created": int(time.time()),
            "data": {"intent_id": str(intent.pk), "amount": str(amount), "utr": utr},
        }
    ).encode()
    event, stored = webhook_receive(raw_body=body, signature=sign(settings.PAYMENT_WEBHOOK_SECRET, body))
    assert stored
    return event


def _owed(loan) -> Decimal:
    return sum((i.owed for i in loan.installments.exclude(status="PAID")), Decimal(0))


def _amount(loan, kind: str) -> Decimal:
    first = loan.installments.exclude(status="PAID").order_by("number").first()
    owed = _owed(loan)
    return {
        "part": Decimal("500.00"),
        "first": first.owed,
        "span": first.owed + Decimal("700.00"),
        "all": owed,
        "excess": owed + Decimal("123.45"),
    }[kind]


def _pay(loans, plan, prefix: str) -> None:
    """One intent and one signed event per planned payment: (loan slot, amount kind, UTR n)."""
    for slot, kind, utr_n in plan:
        loan = loans[slot]
        amount = _amount(loan, kind)
        intent = PaymentIntent.objects.create(loan=loan, amount=amount, method="UPI")
        _event(intent, amount, f"{prefix}UTR{utr_n:04d}")


def _state(loans, prefix: str) -> dict:
    """Everything the payments wrote to one book, with ids and the book's UTR prefix taken out."""
    slot_of = {loan.pk: n for n, loan in enumerate(loans)}

    def utr(value):
        return value[len(prefix) :] if value.startswith(prefix) else value

    out = {}
    for n, loan in enumerate(loans):
        loan.refresh_from_db()
        entries = JournalLine.objects.filter(
            entry__loan_id=loan.pk, entry__entry_type__in=["REPAYMENT", "UNAPPLIED_CREDIT"]
        )
        out[n] = {
            "loan": (
                loan.status,
                loan.outstanding_principal,
                loan.outstanding_interest,
                loan.outstanding_penalty,
                loan.interest_suspense,
            ),
            "installments": list(
                loan.installments.order_by("number").values_list(
                    "number", "penalty_paid", "interest_paid", "principal_paid", "status", "paid_on"
                )
            ),
            "repayments": sorted(
                (
                    r.installment.number,
                    r.kind,
                    r.amount,
                    r.penalty,
                    r.interest,
                    r.principal,
                    r.channel,
                    utr(r.external_reference),
                )
                for r in Repayment.objects.filter(loan=loan).select_related("installment")
            ),
            "lines": sorted(
                (
                    line.entry.entry_type,
                    line.entry.memo.replace(f"{prefix}UTR", "UTR"),
                    line.account_id,
                    line.debit,
                    line.credit,
                )
                for line in entries.select_related("entry")
            ),
            "credits": sorted((c.amount, c.status, utr(c.utr)) for c in UnappliedCredit.objects.filter(loan=loan)),
            "intents": sorted(
                (i.amount, i.status, utr(i.utr), i.amount_received, getattr(i.repayment, "amount", None))
                for i in PaymentIntent.objects.filter(loan=loan).select_related("repayment")
            ),
            "events": sorted(
                json.dumps({k: v for k, v in e.payload.items() if not k.endswith("_id")}, sort_keys=True)
                for e in Event.objects.filter(aggregate_id=str(loan.pk), topic="repayment.received")
            ),
        }
    repayment_ids = {
        str(pk): slot_of[loan_id]
        for pk, loan_id in Repayment.objects.values_list("pk", "loan_id")
        if loan_id in slot_of
    }
    intent_ids = {
        str(pk): slot_of[loan_id]
        for pk, loan_id in PaymentIntent.objects.values_list("pk", "loan_id")
        if loan_id in slot_of
    }
    audit = []
    for row in AuditLog.objects.filter(object_id__in=[*repayment_ids, *intent_ids]):
        after = {k: (utr(v) if isinstance(v, str) else v) for k, v in (row.after or {}).items() if k != "loan"}
        slot = repayment_ids.get(row.object_id, intent_ids.get(row.object_id))
        audit.append((slot, row.action, row.actor_role, json.dumps(after, sort_keys=True)))
    out["audit"] = sorted(audit)
    return out


def _results(events) -> list:
    rows = WebhookEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("pk")
    return [
        (e.status, len(e.result.get("repayments", [])), e.result.get("unapplied"), e.result.get("already"))
        for e in rows
    ]


payments = st.lists(
    st.tuples(
        st.integers(0, SLOTS - 1),
        st.sampled_from(["part", "first", "span", "all", "excess"]),
        st.integers(0, 6),  # a small range, so UTRs repeat now and then
    ),
    min_size=1,
    max_size=7,
)


@pytest.fixture
def two_books(borrower):
    """Two books alike: one for paying one at a time, one for paying in batches. Made once for
    all of hypothesis's examples; each example rolls back what it paid."""
    return _books(borrower, make_user())


@hypothesis_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=payments)
def test_a_batch_writes_what_one_at_a_time_writes(two_books, plan):
    single, batched = two_books
    with transaction.atomic():
        _pay(single, plan, "S")
        webhook_events_apply(batch=1)  # a batch of one never takes the set-based path
        _pay(batched, plan, "B")
        pending = list(WebhookEvent.objects.filter(status="RECEIVED"))
        webhook_events_apply()
        assert _results(pending) and all(status == "APPLIED" for status, *_ in _results(pending))
        assert _state(single, "S") == _state(batched, "B")
        for loan in [*single, *batched]:
            assert_books_match(loan)
        assert not find_drift()
        transaction.set_rollback(True)  # the next example starts from an empty book again


def test_plain_payments_take_the_set_based_path_in_a_few_statements(
    borrower, monkeypatch, django_assert_max_num_queries
):
    loans = _book(borrower, size=6)
    _pay(loans, [(n, "span", n) for n in range(6)], "P")
    one_at_a_time = []
    monkeypatch.setitem(webhooks.APPLIERS, "payment.succeeded", lambda event: one_at_a_time.append(event) or {})
    with django_assert_max_num_queries(20):  # one at a time it is about 18 per payment
        assert webhook_events_apply() == 6
    assert one_at_a_time == []
    assert Repayment.objects.filter(loan__in=loans).count() == 12  # each paid installment 1 and part of 2
    for loan in loans:
        assert_books_match(loan)


def test_what_the_batch_should_not_decide_goes_one_at_a_time(borrower):
    loans = _book(borrower, size=5)
    first = PaymentIntent.objects.create(loan=loans[0], amount=Decimal("100.00"), method="UPI")
    plan = [
        (0, "part", 1),  # loans[0] paid twice in one batch: both one at a time, in order
        (0, "part", 2),
        (1, "excess", 3),  # parks the excess and closes the loan
        (2, "part", 4),  # a UTR twice: booked once
        (3, "part", 4),
        (4, "part", 5),  # the only plain one
    ]
    _pay(loans, plan, "W")
    _event(first, "100.00", "WUTR0001")  # the same UTR as an earlier event of the batch
    webhook_events_apply()
    assert [r.status for r in WebhookEvent.objects.all()] == ["APPLIED"] * 7
    assert Repayment.objects.filter(loan=loans[0]).count() == 2
    assert UnappliedCredit.objects.get(loan=loans[1]).amount == Decimal("123.45")
    assert Loan.objects.get(pk=loans[1].pk).status == "CLOSED"
    assert Repayment.objects.filter(external_reference="WUTR0004").count() == 1
    assert PaymentIntent.objects.get(pk=first.pk).status == "CREATED"
    for loan in loans:
        assert_books_match(loan)


def test_a_batch_that_fails_falls_back_whole_to_one_at_a_time(borrower, monkeypatch):
    loans = _book(borrower, size=3)
    _pay(loans, [(n, "part", n) for n in range(3)], "F")

    def broken(*args, **kwargs):
        raise RuntimeError("the set-based writer broke")

    monkeypatch.setattr(intents_bulk, "bookings_write_many", broken)
    assert webhook_events_apply() == 3
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"APPLIED"}
    assert Repayment.objects.filter(loan__in=loans).count() == 3
    for loan in loans:
        assert_books_match(loan)


@pytest.mark.django_db(transaction=True)
def test_two_workers_batches_on_the_same_loans_never_deadlock_or_book_twice(ledger_chart):
    loans = _book(make_user(), size=8)
    # Each loan paid twice; the claims split the queue so both workers' batches hold the same loans.
    _pay(loans, [(n % 8, "part", n) for n in range(16)], "R")
    counts = race(2, lambda i: webhook_events_apply(batch=8))
    assert sum(counts) == 16
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"APPLIED"}
    assert Repayment.objects.count() == 16
    assert PaymentIntent.objects.filter(status="SUCCEEDED").count() == 16
    for loan in loans:
        assert_books_match(loan)
    assert not find_drift()  # the snapshots equal the sum of the lines (rebuild_balances --check)
