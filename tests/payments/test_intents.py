"""Payments the borrower starts on the rail: opened once per Idempotency-Key with the rail
asked outside any transaction, paid by the rail's signed webhook to the loan's oldest dues
first, one UTR booked once however many webhooks race, and what is beyond the dues parked as a
credit in the ledger."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from apps.ledger import chart
from apps.ledger.models import JournalLine
from apps.payments import providers
from apps.payments.intents import intents_expire_due
from apps.payments.models import PaymentIntent, UnappliedCredit
from apps.payments.webhooks import webhook_events_apply
from apps.repayments.models import Repayment
from tests.support.concurrency import race
from tests.support.days import close_day, days_after
from tests.support.ledger import assert_books_match
from tests.support.lending import make_loan
from tests.support.rail import post_webhook, rail_event
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db


def intents_url(loan):
    return f"/api/v1/repayments/loan/{loan.pk}/payment-intents"


def open_intent(client, loan, amount, method="UPI", key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(intents_url(loan), {"amount": str(amount), "method": method}, format="json", **headers)


def paid(intent_id, amount, utr, client=None):
    event = rail_event("payment.succeeded", {"intent_id": str(intent_id), "amount": str(amount), "utr": utr})
    assert post_webhook(client or Client(), event).status_code == 200
    return event


@pytest.fixture
def overdue_loan(borrower):
    """A loan with its first two installments fallen due and unpaid."""
    loan = make_loan(borrower)
    close_day(days_after(loan, 2, 1))
    loan.refresh_from_db()
    return loan


def test_opening_a_payment_once_per_key(borrower_client, overdue_loan, monkeypatch):
    seen = []
    real = providers.SandboxCollectionRail.open_collection

    def counted(self, **kwargs):
        seen.append(kwargs["reference"])
        return real(self, **kwargs)

    monkeypatch.setattr(providers.SandboxCollectionRail, "open_collection", counted)
    first = open_intent(borrower_client, overdue_loan, "5000.00", key="pay-1")
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["status"] == "CREATED" and body["amount"] == "5000.00" and body["method"] == "UPI"
    assert body["provider_reference"].startswith("SBXCOL")
    assert body["payment_url"] == f"http://127.0.0.1:8000/sandbox/rail/pay/{body['id']}"  # the sandbox page
    assert seen == [body["id"]]  # our intent id is the reference the rail de-duplicates on
    again = open_intent(borrower_client, overdue_loan, "5000.00", key="pay-1")
    assert again.status_code == 200 and again.json()["id"] == body["id"] and len(seen) == 1
    reused = open_intent(borrower_client, overdue_loan, "6000.00", key="pay-1")
    assert reused.status_code == 422
    assert PaymentIntent.objects.count() == 1
    listed = borrower_client.get(intents_url(overdue_loan)).json()["results"]
    assert [i["id"] for i in listed] == [body["id"]]
    assert borrower_client.get(f"/api/v1/payments/intents/{body['id']}").json()["status"] == "CREATED"


def test_bad_amounts_and_other_peoples_loans_are_refused_and_store_nothing(borrower_client, overdue_loan, officer):
    owed = sum((i.owed for i in overdue_loan.installments.exclude(status="PAID")), Decimal(0))
    for amount, field in (("0", "amount"), ("-1", "amount"), (str(owed + Decimal("0.01")), "amount")):
        response = open_intent(borrower_client, overdue_loan, amount)
        assert response.status_code == 400 and field in response.json()["errors"], (amount, response.content)
    assert open_intent(borrower_client, overdue_loan, "10.00", method="CHEQUE").status_code == 400
    stranger = client_for(make_user())
    assert open_intent(stranger, overdue_loan, "10.00").status_code == 404
    assert stranger.get(intents_url(overdue_loan)).status_code == 404
    assert not PaymentIntent.objects.exists()
    assert open_intent(client_for(officer), overdue_loan, "10.00", method="NETBANKING").status_code == 201


def test_a_rail_that_cannot_open_the_payment_is_503_and_the_intent_failed(borrower_client, overdue_loan):
    response = open_intent(borrower_client, overdue_loan, "13.13")
    assert response.status_code == 503 and response.json()["code"] == "rail_unavailable"
    assert PaymentIntent.objects.get().status == "FAILED"


def test_the_rails_webhook_pays_the_oldest_dues_first_once(borrower_client, overdue_loan):
    first, second = overdue_loan.installments.order_by("number")[:2]
    amount = first.owed + Decimal("1000.00")
    intent = open_intent(borrower_client, overdue_loan, amount).json()
    event = paid(intent["id"], amount, "UTRHDFC0000000001")
    assert webhook_events_apply() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "PAID" and second.amount_paid == Decimal("1000.00")
    rows = Repayment.objects.filter(loan=overdue_loan).order_by("installment__number")
    assert [(r.installment.number, r.amount, r.channel, r.external_reference) for r in rows] == [
        (1, amount - Decimal("1000.00"), "UPI", "UTRHDFC0000000001"),
        (2, Decimal("1000.00"), "UPI", "UTRHDFC0000000001"),
    ]
    body = borrower_client.get(f"/api/v1/payments/intents/{intent['id']}").json()
    assert (
        body["status"] == "SUCCEEDED" and body["repayment_id"] == str(rows[0].pk) and body["utr"] == "UTRHDFC0000000001"
    )
    assert_books_match(overdue_loan)

    # The same event again, and a second event with the same UTR for another intent: nothing more.
    post_webhook(Client(), event)
    other = open_intent(borrower_client, overdue_loan, "500.00").json()
    paid(other["id"], "500.00", "UTRHDFC0000000001")
    webhook_events_apply()
    assert Repayment.objects.filter(loan=overdue_loan).count() == 2
    assert PaymentIntent.objects.get(pk=other["id"]).status == "CREATED"


@pytest.mark.django_db(transaction=True)
def test_twenty_webhooks_for_one_intent_racing_book_one_payment(ledger_chart):
    borrower = make_user()
    loan = make_loan(borrower)
    close_day(days_after(loan, 1, 1))
    amount = loan.installments.get(number=1).owed
    intent = open_intent(client_for(borrower), loan, amount).json()
    answers = race(20, lambda i: paid(intent["id"], amount, f"UTRRACE{i % 3}") and 200)
    assert answers == [200] * 20
    race(4, lambda i: webhook_events_apply())
    assert Repayment.objects.filter(loan=loan).count() == 1
    assert PaymentIntent.objects.get(pk=intent["id"]).status == "SUCCEEDED"
    assert_books_match(loan)


def test_money_beyond_the_dues_is_parked_as_a_credit_never_lost(borrower_client, overdue_loan):
    owed = sum((i.owed for i in overdue_loan.installments.exclude(status="PAID")), Decimal(0))
    intent = open_intent(borrower_client, overdue_loan, "100.00").json()
    paid(intent["id"], owed + Decimal("250.00"), "UTRICIC0000000077")  # the borrower paid more on the rail
    webhook_events_apply()
    credit = UnappliedCredit.objects.get()
    assert (credit.amount, credit.status, credit.utr) == (Decimal("250.00"), "OPEN", "UTRICIC0000000077")
    lines = JournalLine.objects.filter(entry=credit.journal_entry)
    assert {(line.account.code, line.debit, line.credit) for line in lines} == {
        (chart.BANK_COLLECTIONS, Decimal("250.0000"), Decimal("0")),
        (chart.BORROWER_ADVANCES, Decimal("0"), Decimal("250.0000")),
    }
    overdue_loan.refresh_from_db()
    assert overdue_loan.status == "CLOSED"
    assert_books_match(overdue_loan)


def test_a_failed_payment_and_an_expired_page(borrower_client, overdue_loan):
    failed = open_intent(borrower_client, overdue_loan, "100.00").json()
    post_webhook(Client(), rail_event("payment.failed", {"intent_id": failed["id"], "return_code": "U30"}))
    webhook_events_apply()
    assert PaymentIntent.objects.get(pk=failed["id"]).failure_code == "U30"
    stale = open_intent(borrower_client, overdue_loan, "200.00").json()
    assert intents_expire_due(now=timezone.now() + datetime.timedelta(minutes=31)) == 1
    assert PaymentIntent.objects.get(pk=stale["id"]).status == "EXPIRED"


def _parked_credit(client, loan, extra):
    owed = sum((i.owed for i in loan.installments.filter(status="OVERDUE")), Decimal(0))
    intent = open_intent(client, loan, "100.00").json()
    paid(intent["id"], owed + extra, f"UTRPARK{intent['id'][:8]}")
    webhook_events_apply()
    return UnappliedCredit.objects.get(intent_id=intent["id"]) if extra else None


def test_ops_apply_a_credit_to_the_next_dues_or_refund_one_with_a_reason(borrower, officer_web):
    from apps.audit.models import AuditLog

    loan = make_loan(borrower)
    close_day(days_after(loan, 1, 1))
    client = client_for(borrower)
    # Paid the overdue EMI and 700 more: the 700 is parked (only the overdue EMI was asked for).
    intent = open_intent(client, loan, "100.00").json()
    first = loan.installments.get(number=1)
    owed_all = sum((i.owed for i in loan.installments.all()), Decimal(0))
    paid(intent["id"], owed_all + Decimal("700.00"), "UTRPARK000001")
    webhook_events_apply()
    credit = UnappliedCredit.objects.get()
    assert credit.amount == Decimal("700.00")
    loan.refresh_from_db()
    assert loan.status == "CLOSED"  # everything paid; nothing left to apply the credit to
    page = officer_web.get(f"/admin/payments/unappliedcredit/{credit.pk}/change/").content.decode()
    assert "Apply to a loan" in page and "Refund to the borrower" in page
    refused = officer_web.post(f"/admin/payments/unappliedcredit/{credit.pk}/transition/apply/")
    assert refused.status_code in (200, 302)
    credit.refresh_from_db()
    assert credit.status == "OPEN"  # the loan owes nothing: refund it instead
    done = officer_web.post(
        f"/admin/payments/unappliedcredit/{credit.pk}/transition/refund/",
        {"reason": "Returned by NEFT to the borrower"},
    )
    assert done.status_code == 302
    credit.refresh_from_db()
    assert (credit.status, credit.settled_reason) == ("REFUNDED", "Returned by NEFT to the borrower")
    assert AuditLog.objects.filter(action="payment.credit_refunded", object_id=str(credit.pk)).exists()
    assert first.pk  # the loan's schedule is untouched by the refund
    assert_books_match(loan)


def test_a_credit_applied_to_another_loan_of_the_borrower_comes_out_of_advances_not_the_bank(borrower):
    from apps.core.errors import Conflict, InvalidInput
    from apps.payments.intents import credit_apply

    closed, live = make_loan(borrower), make_loan(borrower)
    close_day(max(days_after(closed, 1, 1), days_after(live, 1, 1)))
    client = client_for(borrower)
    owed_closed = sum((i.owed for i in closed.installments.all()), Decimal(0))
    intent = open_intent(client, closed, "100.00").json()
    paid(intent["id"], owed_closed + Decimal("500.00"), "UTRSIBLING0001")
    webhook_events_apply()
    credit = UnappliedCredit.objects.get()
    assert credit.amount == Decimal("500.00")
    with pytest.raises(Conflict):  # its own loan is closed and owes nothing
        credit_apply(credit_id=credit.pk, actor=None)
    with pytest.raises(InvalidInput):  # another borrower's loan
        credit_apply(credit_id=credit.pk, actor=None, loan_reference=make_loan(make_user()).reference)
    bank_before = _balance(chart.BANK_COLLECTIONS)
    credit_apply(credit_id=credit.pk, actor=None, loan_reference=live.reference.lower())
    credit.refresh_from_db()
    assert credit.status == "APPLIED"
    row = live.repayments.get()
    assert (row.amount, row.channel, row.external_reference) == (Decimal("500.00"), "CREDIT", "UTRSIBLING0001")
    assert _balance(chart.BANK_COLLECTIONS) == bank_before  # no new money reached the bank
    assert _balance(chart.BORROWER_ADVANCES) == 0
    assert_books_match(live)


def _balance(code) -> Decimal:
    from django.db.models import Sum

    totals = JournalLine.objects.filter(account__code=code).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (totals["d"] or 0) - (totals["c"] or 0)
