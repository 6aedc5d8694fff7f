"""Payouts: recorded with the sanction, sent to the rail with no transaction open, settled once
whoever tells us (the rail's answer, its webhook, ops' UTR). The HTTP provider against a real
local server; a send that times out is retried with the same reference and pays once."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.core.http import JsonHttpClient
from apps.core.jobs_runner import run_job
from apps.invoices.models import Invoice
from apps.kyc.models import Collateral
from apps.ledger.models import JournalEntry
from apps.loans.models import Loan, Payout
from apps.loans.providers import HttpPayoutProvider, PayoutRefused, PayoutStatus, PayoutUnreachable
from apps.loans.services import loan_payout_confirm, payout_settle
from apps.loans.services import payouts as payouts_module
from apps.loans.services.payouts import payout_send
from tests.support.http_server import Hang
from tests.support.lending import generate
from tests.support.providers import ScriptedProvider

pytestmark = pytest.mark.django_db


def http_provider(server, retries=1):
    client = JsonHttpClient(server.url, headers={"X-Api-Key": "k"}, timeout=0.5, retries=retries, backoff=0)
    return HttpPayoutProvider(client)


def test_http_payout_provider_outcomes(http_server):
    route = ("POST", "/payouts")
    http_server.routes[route] = lambda body, headers: (200, {"status": "SUCCESS", "utr": "UTR1"})
    beneficiary = {"beneficiary_id": "BAV-1", "name": "Asha Traders", "ifsc": "HDFC0001234", "account_last4": "5678"}
    result = http_provider(http_server).disburse(
        reference="offer-1", amount=Decimal("73672.50"), beneficiary=beneficiary
    )
    assert (result.status, result.utr) == (PayoutStatus.SUCCEEDED, "UTR1")
    sent = http_server.calls[-1]
    assert sent["json"]["reference"] == "offer-1" and sent["json"]["amount"] == "73672.50"
    assert sent["json"]["beneficiary"] == beneficiary  # a beneficiary id and the last four: never the number
    assert sent["headers"]["X-Api-Key"] == "k"
    http_server.routes[route] = lambda body, headers: (202, {"status": "PENDING"})
    assert http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={}).status == "PENDING"
    http_server.routes[route] = lambda body, headers: (200, {"status": "FAILED", "reason": "account closed"})
    with pytest.raises(PayoutRefused, match="account closed"):
        http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={})
    http_server.routes[route] = lambda body, headers: (422, {"error": "bad ifsc"})
    with pytest.raises(PayoutRefused):
        http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={})
    # No answer, a 5xx or an answer we cannot read: the outcome is unknown, never "failed".
    http_server.routes[route] = lambda body, headers: (503, {})
    with pytest.raises(PayoutUnreachable):
        http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={})
    http_server.routes[route] = lambda body, headers: (200, {"status": "???"})
    with pytest.raises(PayoutUnreachable):
        http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={})

    def hang(body, headers):
        raise Hang(2)

    http_server.routes[route] = hang
    with pytest.raises(PayoutUnreachable):
        http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={})


def _sanction(client, offer_id):
    return client.post("/api/v1/loans/sanction", {"offer_id": offer_id}, format="json")


def test_a_send_that_times_out_is_retried_by_the_job_with_the_same_reference(borrower_client, invoice_id, monkeypatch):
    rail = ScriptedProvider(PayoutUnreachable("timed out"), PayoutStatus.SUCCEEDED)
    monkeypatch.setattr(payouts_module, "get_payout_provider", lambda: rail)
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    response = _sanction(borrower_client, offer["id"])
    # Sanctioned, the money on its way: the rail's silence is not a refusal.
    assert response.status_code == 201 and response.json()["status"] == "SANCTIONED"
    payout = Payout.objects.get()
    assert (payout.status, payout.attempts, payout.last_error) == ("PENDING", 1, "timed out")
    assert payout.next_attempt_at > timezone.now()
    assert not JournalEntry.objects.exists()
    # Not yet due: the job leaves it.
    assert run_job("payout_retry").counts["sent"] == 0
    Payout.objects.filter(pk=payout.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert run_job("payout_retry").counts == {"sent": 1, "succeeded": 1, "failed": 0, "unanswered": 0, "pending": 0}
    assert rail.references == [f"offer-{offer['id']}"] * 2
    loan = Loan.objects.get()
    assert loan.status == Loan.Status.ACTIVE
    assert JournalEntry.objects.filter(loan_id=loan.pk, entry_type="DISBURSEMENT").count() == 1
    assert run_job("payout_retry").counts["sent"] == 0  # settled: never sent again


def test_a_rail_that_paid_but_timed_out_is_answered_again_by_reference_and_pays_once(
    borrower_client, invoice_id, monkeypatch, http_server
):
    """The real HTTP client against a rail that de-duplicates on our reference: the first send
    pays but its answer is lost (the client times out), the retry gets the same payout back."""
    paid: dict = {}
    sends = []

    def rail(body, headers):
        sends.append(body["reference"])
        first = body["reference"] not in paid
        paid.setdefault(body["reference"], f"UTRHTTP{len(paid) + 1:06d}")
        if first:
            raise Hang(2)  # the money left, the answer did not arrive
        return 200, {"status": "SUCCESS", "utr": paid[body["reference"]]}

    http_server.routes[("POST", "/payouts")] = rail
    monkeypatch.setattr(payouts_module, "get_payout_provider", lambda: http_provider(http_server, retries=0))
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    assert _sanction(borrower_client, offer["id"]).json()["status"] == "SANCTIONED"
    Payout.objects.update(next_attempt_at=timezone.now())
    run_job("payout_retry")
    loan = Loan.objects.get()
    assert (loan.status, loan.payout_utr) == (Loan.Status.ACTIVE, "UTRHTTP000001")
    assert len(paid) == 1 and set(sends) == {f"offer-{offer['id']}"}
    assert JournalEntry.objects.filter(entry_type="DISBURSEMENT").count() == 1


def test_a_pending_payout_waits_for_the_rail_then_settles_once(borrower_client, invoice_id, monkeypatch):
    monkeypatch.setattr(payouts_module, "get_payout_provider", lambda: ScriptedProvider(PayoutStatus.PENDING))
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    response = _sanction(borrower_client, offer["id"])
    assert response.status_code == 201 and response.json()["status"] == "SANCTIONED"
    payout = Payout.objects.get()
    assert payout.acknowledged_at is not None and payout.next_attempt_at is None
    assert run_job("payout_retry").counts["sent"] == 0  # acknowledged: the rail's webhook settles it
    assert not JournalEntry.objects.exists()
    settled = payout_settle(reference=payout.reference, succeeded=True, utr="UTR-CB-1", by="webhook")
    assert (settled.status, settled.settled_by) == ("SUCCEEDED", "webhook")
    # Told again (a replayed webhook, ops' late UTR entry of the same UTR): nothing more happens.
    payout_settle(reference=payout.reference, succeeded=True, utr="UTR-CB-1", by="webhook")
    loan = loan_payout_confirm(loan_id=payout.loan_id, succeeded=True, utr="UTR-CB-1")
    assert (loan.status, loan.payout_utr) == (Loan.Status.ACTIVE, "UTR-CB-1")
    assert JournalEntry.objects.filter(loan_id=loan.pk, entry_type="DISBURSEMENT").count() == 1
    # Told otherwise after the fact (a failure for a paid payout): refused for ops to reconcile.
    with pytest.raises(Exception, match="already SUCCEEDED"):
        payout_settle(reference=payout.reference, succeeded=False, reason="late failure", by="webhook")
    with pytest.raises(Exception, match="already SUCCEEDED"):
        payout_settle(reference=payout.reference, succeeded=True, utr="ANOTHER-UTR", by="ops")
    assert AuditLog.objects.filter(action="payout.succeeded", object_id=str(payout.pk)).count() == 1


def test_a_failed_pending_payout_cancels_the_loan_and_frees_invoice_and_collateral(
    borrower_client, secured_invoice_id, monkeypatch
):
    monkeypatch.setattr(payouts_module, "get_payout_provider", lambda: ScriptedProvider(PayoutStatus.PENDING))
    offer = generate(borrower_client, secured_invoice_id)["SECURED"]
    _sanction(borrower_client, offer["id"])
    assert set(Collateral.objects.values_list("lien_status", flat=True)) == {"PLEDGED"}
    loan = loan_payout_confirm(loan_id=Loan.objects.get().pk, succeeded=False, reason="beneficiary bank down")
    assert loan.status == Loan.Status.CANCELLED
    assert (loan.payout.status, loan.payout.failure_reason, loan.payout.settled_by) == (
        "FAILED",
        "beneficiary bank down",
        "ops",
    )
    assert not JournalEntry.objects.filter(loan_id=loan.pk).exists()
    assert Invoice.objects.get(pk=secured_invoice_id).status == Invoice.Status.VERIFIED
    assert set(Collateral.objects.values_list("lien_status", flat=True)) == {"RELEASED"}
    assert AuditLog.objects.filter(action="invoice.unfinanced", object_id=secured_invoice_id).exists()
    assert AuditLog.objects.filter(action="payout.failed").count() == 1


def test_a_confirmation_needs_a_utr_no_other_payout_holds(borrower_client, invoice_id, monkeypatch):
    from apps.core.errors import Conflict, InvalidInput
    from tests.support.lending import make_loan

    monkeypatch.setattr(payouts_module, "get_payout_provider", lambda: ScriptedProvider(PayoutStatus.PENDING))
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    pending = Loan.objects.get(pk=_sanction(borrower_client, offer["id"]).json()["id"])
    monkeypatch.undo()
    paid = make_loan()
    with pytest.raises(InvalidInput):
        loan_payout_confirm(loan_id=pending.pk, succeeded=True, utr="  ")
    with pytest.raises(Conflict, match="already settled another payout"):
        loan_payout_confirm(loan_id=pending.pk, succeeded=True, utr=paid.payout_utr)
    assert Loan.objects.get(pk=pending.pk).status == Loan.Status.SANCTIONED


@pytest.mark.django_db(transaction=True)
def test_the_rail_is_asked_with_no_transaction_open(ledger_chart, monkeypatch):
    from django.db import connection, transaction

    from tests.support.lending import make_loan

    seen = []

    class Spy(ScriptedProvider):
        def disburse(self, **kwargs):
            seen.append(connection.in_atomic_block)
            return super().disburse(**kwargs)

    monkeypatch.setattr(payouts_module, "get_payout_provider", lambda: Spy(PayoutStatus.SUCCEEDED))
    assert make_loan().status == Loan.Status.ACTIVE
    assert seen == [False]
    with pytest.raises(RuntimeError), transaction.atomic():
        payout_send(Payout.objects.get().pk)
