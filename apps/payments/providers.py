"""The collection side of the payment rail: asking it to collect a payment (a UPI or
net-banking page the borrower pays on). The rail answers at once with its reference and the
page; the money's arrival is told later by its signed webhook (`payment.succeeded`).

Our intent id is the reference the rail de-duplicates on: asking twice for one intent (a retry
after a timeout) gets the same page, never a second collection.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core.http import JsonHttpClient, ProviderError, ProviderUnavailable

INTENT_TTL = datetime.timedelta(minutes=30)


@dataclass(frozen=True)
class CollectionOpened:
    provider_reference: str
    payment_url: str
    expires_at: datetime.datetime


class RailUnavailable(Exception):
    """The rail did not open the collection (down, or refused it); the intent fails."""


@dataclass(frozen=True)
class MandateOpened:
    provider_reference: str
    authorization_url: str


class CollectionRail(Protocol):
    def open_collection(self, *, reference: str, amount: Decimal, method: str) -> CollectionOpened: ...
    def register_mandate(self, *, reference: str, mandate_type: str, max_amount: Decimal) -> MandateOpened: ...
    def present_debit(self, *, reference: str, umrn: str, amount: Decimal) -> str: ...


class SandboxCollectionRail:
    """Deterministic. Its pages are served by this server (/sandbox/rail/..., apps/payments/
    sandbox.py): paying or declining there, like `manage.py sandbox_rail pay <intent>`, sends the
    rail's signed webhook through the real endpoint. An amount of exactly 13.13 rupees is
    refused as if the rail were down."""

    def open_collection(self, *, reference: str, amount: Decimal, method: str) -> CollectionOpened:
        if amount == Decimal("13.13"):
            raise RailUnavailable("sandbox: the rail refused to open the collection")
        provider_reference = "SBXCOL" + reference.replace("-", "")[:20].upper()
        return CollectionOpened(
            provider_reference=provider_reference,
            payment_url=f"{settings.PUBLIC_URL}/sandbox/rail/pay/{reference}",
            expires_at=timezone.now() + INTENT_TTL,
        )

    def register_mandate(self, *, reference: str, mandate_type: str, max_amount: Decimal) -> MandateOpened:
        provider_reference = "SBXMDT" + reference.replace("-", "")[:20].upper()
        return MandateOpened(provider_reference, f"{settings.PUBLIC_URL}/sandbox/rail/mandates/{reference}")

    def present_debit(self, *, reference: str, umrn: str, amount: Decimal) -> str:
        """Accepted for debit on the due date; its outcome comes by webhook."""
        return "SBXDEB" + reference.replace("-", "")[:20].upper()


class HttpCollectionRail:
    def __init__(self, client: JsonHttpClient):
        self.client = client

    def open_collection(self, *, reference: str, amount: Decimal, method: str) -> CollectionOpened:
        payload = {"reference": reference, "amount": str(amount), "currency": "INR", "method": method}
        try:
            body = self.client.post("/collections", payload).body
        except (ProviderUnavailable, ProviderError) as exc:
            raise RailUnavailable(str(exc)) from exc
        expires_at = parse_datetime(str(body.get("expires_at") or "")) or timezone.now() + INTENT_TTL
        if not body.get("id") or not body.get("payment_url"):
            raise RailUnavailable(f"the rail's answer lacks id or payment_url: {sorted(body)}")
        return CollectionOpened(
            provider_reference=str(body["id"])[:64], payment_url=str(body["payment_url"])[:500], expires_at=expires_at
        )

    def register_mandate(self, *, reference: str, mandate_type: str, max_amount: Decimal) -> MandateOpened:
        payload = {"reference": reference, "type": mandate_type, "max_amount": str(max_amount), "frequency": "MONTHLY"}
        try:
            body = self.client.post("/mandates", payload).body
        except (ProviderUnavailable, ProviderError) as exc:
            raise RailUnavailable(str(exc)) from exc
        if not body.get("id") or not body.get("authorization_url"):
            raise RailUnavailable(f"the rail's answer lacks id or authorization_url: {sorted(body)}")
        return MandateOpened(str(body["id"])[:64], str(body["authorization_url"])[:500])

    def present_debit(self, *, reference: str, umrn: str, amount: Decimal) -> str:
        try:
            body = self.client.post("/debits", {"reference": reference, "umrn": umrn, "amount": str(amount)}).body
        except (ProviderUnavailable, ProviderError) as exc:
            raise RailUnavailable(str(exc)) from exc
        return str(body.get("id") or reference)[:64]


def get_collection_rail() -> CollectionRail:
    if settings.SANDBOX or not settings.PAYOUT_API_URL:
        return SandboxCollectionRail()
    client = JsonHttpClient(
        settings.PAYOUT_API_URL, headers={"X-Api-Key": settings.PAYOUT_API_KEY}, timeout=10.0, retries=2
    )
    return HttpCollectionRail(client)
