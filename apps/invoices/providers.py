"""GST e-invoice verification: does the GST network know this invoice as the seller declared it?

Sandbox (deterministic, for tests and demos): every invoice verifies, except invoice numbers
starting with `NOTFOUND` (unknown to the network) and `MISMATCH` (amount or buyer differ).
The HTTP provider calls `GST_API_URL`; when the service cannot be reached the invoice stays
UPLOADED for ops to retry, rather than being rejected for our outage.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings

from apps.core.http import JsonHttpClient, ProviderError, ProviderUnavailable


class Outcome:
    VERIFIED = "VERIFIED"
    NOT_FOUND = "NOT_FOUND"
    MISMATCH = "MISMATCH"
    UNAVAILABLE = "UNAVAILABLE"


@dataclass(frozen=True)
class InvoiceCheck:
    outcome: str
    reference: str = ""
    reason: str = ""


class GstInvoiceProvider(Protocol):
    def verify_invoice(
        self, *, seller_gstin: str, buyer_gstin: str, invoice_number: str, invoice_date, amount: Decimal
    ) -> InvoiceCheck: ...


class SandboxGstInvoiceProvider:
    def verify_invoice(self, *, seller_gstin, buyer_gstin, invoice_number, invoice_date, amount) -> InvoiceCheck:
        number = invoice_number.upper()
        if number.startswith("NOTFOUND"):
            return InvoiceCheck(Outcome.NOT_FOUND, reason="invoice not found on the GST network")
        if number.startswith("MISMATCH"):
            return InvoiceCheck(Outcome.MISMATCH, reason="amount or buyer differ from the e-invoice")
        digest = hashlib.sha256(f"{seller_gstin}|{invoice_number}|{invoice_date}|{amount}".encode()).hexdigest()
        return InvoiceCheck(Outcome.VERIFIED, reference="SBXIRN" + digest[:24].upper())


class HttpGstInvoiceProvider:
    def __init__(self, client: JsonHttpClient):
        self.client = client

    def verify_invoice(self, *, seller_gstin, buyer_gstin, invoice_number, invoice_date, amount) -> InvoiceCheck:
        payload = {
            "seller_gstin": seller_gstin,
            "buyer_gstin": buyer_gstin,
            "invoice_number": invoice_number,
            "invoice_date": invoice_date.isoformat(),
            "amount": str(amount),
        }
        try:
            body = self.client.post("/einvoice/verify", payload).body
        except ProviderUnavailable as exc:
            return InvoiceCheck(Outcome.UNAVAILABLE, reason=f"GST service unavailable: {exc}")
        except ProviderError as exc:
            if exc.status == 404:
                return InvoiceCheck(Outcome.NOT_FOUND, reason="invoice not found on the GST network")
            return InvoiceCheck(Outcome.UNAVAILABLE, reason=f"GST service refused the request ({exc.status})")
        status = str(body.get("status", "")).upper()
        if status == "VALID":
            return InvoiceCheck(Outcome.VERIFIED, reference=str(body.get("irn", ""))[:64])
        if status == "MISMATCH":
            return InvoiceCheck(Outcome.MISMATCH, reason=str(body.get("reason", "details differ"))[:255])
        if status == "NOT_FOUND":
            return InvoiceCheck(Outcome.NOT_FOUND, reason="invoice not found on the GST network")
        return InvoiceCheck(Outcome.UNAVAILABLE, reason=f"unexpected answer {status!r}")


def get_gst_invoice_provider() -> GstInvoiceProvider:
    if settings.SANDBOX or not settings.GST_API_URL:
        return SandboxGstInvoiceProvider()
    headers = {"X-Api-Key": settings.GOV_API_KEY, "X-Api-Secret": settings.GOV_API_SECRET}
    return HttpGstInvoiceProvider(JsonHttpClient(settings.GST_API_URL, headers=headers, timeout=5.0, retries=2))
