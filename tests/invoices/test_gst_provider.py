import datetime
from decimal import Decimal

from apps.core.http import JsonHttpClient
from apps.invoices.providers import HttpGstInvoiceProvider, InvoiceCheck, Outcome
from tests.support.http_server import Hang

ARGS = {
    "seller_gstin": "27AAPFU0939F1ZV",
    "buyer_gstin": "29AAACK0000A1ZZ",
    "invoice_number": "INV/1",
    "invoice_date": datetime.date(2026, 10, 1),
    "amount": Decimal("100000.00"),
}
ROUTE = ("POST", "/einvoice/verify")


def provider(server, timeout=2.0):
    client = JsonHttpClient(server.url, headers={"X-Api-Key": "k"}, timeout=timeout, retries=1, backoff=0)
    return HttpGstInvoiceProvider(client)


def test_a_valid_invoice_verifies_with_its_irn(http_server):
    http_server.routes[ROUTE] = lambda body, headers: (200, {"status": "VALID", "irn": "IRN123"})
    assert provider(http_server).verify_invoice(**ARGS) == InvoiceCheck(Outcome.VERIFIED, reference="IRN123")
    call = http_server.calls[-1]
    assert call["json"]["amount"] == "100000.00"
    assert call["json"]["invoice_date"] == "2026-10-01"
    assert call["headers"]["X-Api-Key"] == "k"


def test_not_found_and_mismatch(http_server):
    http_server.routes[ROUTE] = lambda body, headers: (404, {"error": "unknown"})
    assert provider(http_server).verify_invoice(**ARGS).outcome == Outcome.NOT_FOUND
    http_server.routes[ROUTE] = lambda body, headers: (200, {"status": "MISMATCH", "reason": "amount differs"})
    check = provider(http_server).verify_invoice(**ARGS)
    assert (check.outcome, check.reason) == (Outcome.MISMATCH, "amount differs")


def test_a_timeout_leaves_the_outcome_unavailable_rather_than_rejected(http_server):
    def hang(body, headers):
        raise Hang(1.0)

    http_server.routes[ROUTE] = hang
    assert provider(http_server, timeout=0.2).verify_invoice(**ARGS).outcome == Outcome.UNAVAILABLE


def test_a_server_error_after_retries_is_unavailable(http_server):
    http_server.routes[ROUTE] = lambda body, headers: (503, {"error": "down"})
    assert provider(http_server).verify_invoice(**ARGS).outcome == Outcome.UNAVAILABLE
    assert len(http_server.calls) == 2
