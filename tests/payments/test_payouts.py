"""Payouts as the rail reports them: its signed webhooks settle a pending payout once however
often they come (and raced), a failure cancels the loan, ops list the payouts over the API and
send an unanswered one again from the console, and the sandbox rail plays the whole loop."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.ledger.balances import find_drift
from apps.ledger.models import JournalEntry
from apps.loans.models import Loan, Payout
from apps.loans.providers import PayoutResult, SandboxPayoutProvider
from apps.loans.services import loan_payout_confirm
from apps.loans.services.payouts import payout_send
from apps.payments.models import WebhookEvent
from apps.payments.webhooks import webhook_events_apply
from tests.support.concurrency import race
from tests.support.lending import make_loan, payout_account, verified_business
from tests.support.rail import post_webhook, rail_event
from tests.support.users import make_user

pytestmark = pytest.mark.django_db


def pending_loan(last4="2222") -> Loan:
    """A loan whose payout the sandbox rail keeps PENDING (account ending 2222) until its webhook."""
    borrower = make_user()
    payout_account(verified_business(borrower), last4=last4)
    return make_loan(borrower)


def test_the_sandbox_accounts_choose_the_payouts_outcome():
    assert pending_loan("5678").status == Loan.Status.ACTIVE
    pending = pending_loan("2222")
    assert (pending.status, pending.payout.status) == (Loan.Status.SANCTIONED, "PENDING")
    assert pending.payout.acknowledged_at is not None
    unanswered = pending_loan("4444")
    assert (unanswered.status, unanswered.payout.attempts) == (Loan.Status.SANCTIONED, 1)
    assert unanswered.payout.acknowledged_at is None and unanswered.payout.next_attempt_at is not None
    with pytest.raises(Exception, match="refused"):
        pending_loan("3333")
    refused = Loan.objects.get(payout__bank_account__account_last4="3333")
    assert (refused.status, refused.payout.status) == (Loan.Status.CANCELLED, "FAILED")


def test_a_payout_webhook_settles_once_however_often_it_comes(client):
    loan = pending_loan()
    body = rail_event("payout.succeeded", {"reference": loan.payout.reference, "utr": "UTRWEB000001"})
    assert post_webhook(client, body).status_code == 200
    assert post_webhook(client, body).status_code == 200  # the same event id: stored once
    again = rail_event("payout.succeeded", {"reference": loan.payout.reference, "utr": "UTRWEB000001"})
    assert post_webhook(client, again).status_code == 200  # a new id, the same news
    assert webhook_events_apply() == 2
    loan.refresh_from_db()
    payout = Payout.objects.get(loan=loan)
    assert (loan.status, loan.payout_utr, payout.settled_by) == (Loan.Status.ACTIVE, "UTRWEB000001", "webhook")
    assert JournalEntry.objects.filter(loan_id=loan.pk, entry_type="DISBURSEMENT").count() == 1
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"APPLIED"}
    assert find_drift() == []


def test_a_payout_failed_webhook_cancels_the_loan_and_a_late_success_is_a_dead_letter(client):
    loan = pending_loan()
    failed = rail_event("payout.failed", {"reference": loan.payout.reference, "reason": "account frozen"})
    post_webhook(client, failed)
    webhook_events_apply()
    loan.refresh_from_db()
    payout = Payout.objects.get(loan=loan)
    assert (loan.status, payout.status, payout.failure_reason) == ("CANCELLED", "FAILED", "account frozen")
    assert loan.invoice.status == "VERIFIED"
    # The rail contradicting itself is for ops to reconcile, never booked.
    late = rail_event("payout.succeeded", {"reference": payout.reference, "utr": "UTRLATE00001"})
    post_webhook(client, late)
    webhook_events_apply()
    event = WebhookEvent.objects.get(event_id=late["id"])
    assert event.status in ("RETRYING", "DEAD") and "already FAILED" in event.last_error
    assert not JournalEntry.objects.filter(loan_id=loan.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_webhooks_for_one_payout_raced_disburse_once(ledger_chart):
    loan = pending_loan()
    events = [
        rail_event("payout.succeeded", {"reference": loan.payout.reference, "utr": "UTRRACE00001"}) for _ in range(20)
    ]
    assert race(20, lambda i: post_webhook(Client(), events[i]).status_code) == [200] * 20
    race(4, lambda i: webhook_events_apply())
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE
    assert JournalEntry.objects.filter(loan_id=loan.pk, entry_type="DISBURSEMENT").count() == 1
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"APPLIED"}
    assert find_drift() == []


def test_ops_list_payouts_by_status(officer_client, borrower_client):
    paid, pending = pending_loan("5678"), pending_loan("2222")
    listed = officer_client.get("/api/v1/admin/payouts").json()["results"]
    assert {row["loan_id"] for row in listed} == {str(paid.pk), str(pending.pk)}
    row = officer_client.get("/api/v1/admin/payouts?status=PENDING").json()["results"]
    assert [(r["loan_id"], r["status"], r["bank_account_last4"], r["amount"]) for r in row] == [
        (str(pending.pk), "PENDING", "2222", str(pending.disbursed_amount))
    ]
    bad = officer_client.get("/api/v1/admin/payouts?status=LOST")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]
    assert borrower_client.get("/api/v1/admin/payouts").status_code == 403


def test_send_again_from_the_console(admin_web, monkeypatch):
    loan = pending_loan("4444")  # the rail does not answer
    assert loan.payout.attempts == 1
    # The rail is back: the next send (same reference) is paid.
    monkeypatch.setattr(
        SandboxPayoutProvider,
        "disburse",
        lambda self, reference, amount, beneficiary: PayoutResult("SUCCEEDED", reference, utr="UTRBACK00001"),
    )
    response = admin_web.post(
        "/admin/loans/payout/", {"action": "send_again", "_selected_action": [loan.payout.pk]}, follow=True
    )
    assert response.status_code == 200 and "1 succeeded" in response.content.decode()
    loan.refresh_from_db()
    payout = Payout.objects.get(loan=loan)
    assert (loan.status, payout.attempts, loan.payout_utr) == (Loan.Status.ACTIVE, 2, "UTRBACK00001")
    page = admin_web.get(f"/admin/loans/payout/{payout.pk}/change/").content.decode()
    assert "UTRBACK00001" in page


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_rail_settles_a_pending_payout_through_the_signed_endpoint(live_server, ledger_chart):
    loan = pending_loan()
    out = io.StringIO()
    call_command("sandbox_rail", "payout-succeed", str(loan.pk), "--url", live_server.url, stdout=out)
    assert "payout.succeeded" in out.getvalue() and " 200 " in out.getvalue()
    assert webhook_events_apply() == 1
    loan.refresh_from_db()
    assert loan.status == Loan.Status.ACTIVE and loan.payout_utr.startswith("SBXPAY")
    other = pending_loan()
    call_command("sandbox_rail", "payout-fail", other.payout.reference, "--url", live_server.url, stdout=out)
    webhook_events_apply()
    other.refresh_from_db()
    assert other.status == Loan.Status.CANCELLED
    assert Payout.objects.get(loan=other).failure_reason == "beneficiary account frozen"


def test_an_unsent_payout_is_not_sent_twice_once_settled():
    loan = pending_loan("4444")
    Payout.objects.filter(pk=loan.payout.pk).update(next_attempt_at=timezone.now())
    loan_payout_confirm(loan_id=loan.pk, succeeded=True, utr="UTROPS000001")
    payout = payout_send(loan.payout.pk)  # the job's late send: settled, so nothing is asked
    assert (payout.status, payout.attempts) == ("SUCCEEDED", 1)
