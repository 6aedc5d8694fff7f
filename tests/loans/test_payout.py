"""The payout rail: the HTTP provider against a real local server, a payout that stays
PENDING until the rail's callback, and a retry after a timeout that cannot pay twice."""

from decimal import Decimal

import pytest

from apps.audit.models import AuditLog
from apps.core.http import JsonHttpClient
from apps.invoices.models import Invoice
from apps.kyc.models import Collateral
from apps.ledger.models import JournalEntry
from apps.loans.models import Loan
from apps.loans.providers import HttpPayoutProvider, PayoutFailed, PayoutStatus
from apps.loans.services import sanction as sanction_module
from apps.loans.services.disbursement import loan_payout_confirm
from tests.support.http_server import Hang
from tests.support.lending import generate
from tests.support.providers import ScriptedProvider

pytestmark = pytest.mark.django_db


def http_provider(server):
    return HttpPayoutProvider(JsonHttpClient(server.url, headers={"X-Api-Key": "k"}, timeout=0.5, retries=1, backoff=0))


def test_http_payout_provider_outcomes(http_server):
    route = ("POST", "/payouts")
    http_server.routes[route] = lambda body, headers: (200, {"status": "SUCCESS", "utr": "UTR1"})
    result = http_provider(http_server).disburse(reference="offer-1", amount=Decimal("73672.50"), beneficiary={})
    assert (result.status, result.utr) == (PayoutStatus.SUCCEEDED, "UTR1")
    sent = http_server.calls[-1]
    assert sent["json"]["reference"] == "offer-1" and sent["json"]["amount"] == "73672.50"
    assert sent["headers"]["X-Api-Key"] == "k"
    http_server.routes[route] = lambda body, headers: (202, {"status": "PENDING"})
    assert http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={}).status == "PENDING"
    http_server.routes[route] = lambda body, headers: (200, {"status": "FAILED", "reason": "account closed"})
    with pytest.raises(PayoutFailed, match="account closed"):
        http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={})

    def hang(body, headers):
        raise Hang(2)

    http_server.routes[route] = hang
    with pytest.raises(PayoutFailed):
        http_provider(http_server).disburse(reference="r", amount=Decimal("1"), beneficiary={})


def _sanction(client, offer_id):
    return client.post("/api/v1/loans/sanction", {"offer_id": offer_id}, format="json")


def test_a_retry_after_a_timeout_sends_the_same_reference(borrower_client, invoice_id, monkeypatch):
    rail = ScriptedProvider(PayoutFailed("timed out"), PayoutStatus.SUCCEEDED)
    monkeypatch.setattr(sanction_module, "get_payout_provider", lambda: rail)
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    assert _sanction(borrower_client, offer["id"]).status_code == 502
    assert _sanction(borrower_client, offer["id"]).status_code == 201
    assert rail.references == [f"offer-{offer['id']}"] * 2
    assert Loan.objects.count() == 1


def test_a_pending_payout_waits_for_the_rail(borrower_client, invoice_id, monkeypatch):
    monkeypatch.setattr(sanction_module, "get_payout_provider", lambda: ScriptedProvider(PayoutStatus.PENDING))
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    response = _sanction(borrower_client, offer["id"])
    assert response.status_code == 201 and response.json()["status"] == "SANCTIONED"
    loan = Loan.objects.get()
    assert not JournalEntry.objects.filter(loan_id=loan.pk).exists()
    loan = loan_payout_confirm(loan_id=loan.pk, succeeded=True, utr="UTR-CB-1")
    assert (loan.status, loan.payout_utr) == (Loan.Status.ACTIVE, "UTR-CB-1")
    assert JournalEntry.objects.filter(loan_id=loan.pk, entry_type="DISBURSEMENT").count() == 1


def test_a_failed_pending_payout_cancels_the_loan_and_frees_invoice_and_collateral(
    borrower_client, secured_invoice_id, monkeypatch
):
    monkeypatch.setattr(sanction_module, "get_payout_provider", lambda: ScriptedProvider(PayoutStatus.PENDING))
    offer = generate(borrower_client, secured_invoice_id)["SECURED"]
    _sanction(borrower_client, offer["id"])
    assert set(Collateral.objects.values_list("lien_status", flat=True)) == {"PLEDGED"}
    loan = loan_payout_confirm(loan_id=Loan.objects.get().pk, succeeded=False, reason="beneficiary bank down")
    assert loan.status == Loan.Status.CANCELLED
    assert not JournalEntry.objects.filter(loan_id=loan.pk).exists()
    assert Invoice.objects.get(pk=secured_invoice_id).status == Invoice.Status.VERIFIED
    assert set(Collateral.objects.values_list("lien_status", flat=True)) == {"RELEASED"}
    assert AuditLog.objects.filter(action="invoice.unfinanced", object_id=secured_invoice_id).exists()
