"""The account aggregator behind one interface: a deterministic sandbox and a real HTTP client.

Either way, what the aggregator says about a consent comes back as a signed token, and only its
verified claims are believed (apps.banking.jws.py). Never called inside a transaction.
"""

import datetime
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils import timezone

from apps.banking.jws import InProcessJwks, jwks_client, verified_claims
from apps.banking.models import SandboxAaConsent
from apps.banking.statements import sandbox_statement
from apps.core.http import JsonHttpClient, ProviderError, ProviderUnavailable, require_no_transaction


class AggregatorUnavailable(Exception):
    """The aggregator did not answer usefully (down, timing out, 5xx after retries).
    `status` is what the status log shows: the HTTP status, or "unreachable"."""

    def __init__(self, message: str, *, status: str = "unreachable", attempts: int = 1):
        super().__init__(message)
        self.status = status
        self.attempts = attempts


@dataclass(frozen=True)
class Bank:
    id: str
    name: str


@dataclass(frozen=True)
class ConsentRequested:
    consent_handle: str
    approval_url: str
    expires_at: datetime.datetime


class Aggregator(Protocol):
    def banks(self) -> list[Bank]: ...

    def consent_request(
        self, *, bank: str, customer_ref: str, fi_types: list[str], months: int, purpose: str
    ) -> ConsentRequested: ...

    def consent_status(self, consent_handle: str) -> dict:
        """The verified claims of the aggregator's signed status: handle, status, bank, expiry."""

    def fi_fetch(self, consent_handle: str, *, date_from: datetime.date, date_to: datetime.date) -> "Fetched":
        """The accounts and transactions an ACTIVE consent covers, from its signed answer."""

    def notification_claims(self, token: str) -> dict:
        """The verified claims of a notification it sent us (TokenRefused if forged)."""


@dataclass(frozen=True)
class Fetched:
    """The verified claims of a data answer: {"consent_handle", "bank", "accounts": [...]}, each
    account {"link_ref", "masked_number", "type", "balance", "balance_at", "transactions"}."""

    claims: dict
    attempts: int = 1


# The sandbox aggregator -------------------------------------------------------------------

SANDBOX_BANKS = (
    Bank("HDFC", "HDFC Bank"),
    Bank("ICICI", "ICICI Bank"),
    Bank("SBI", "State Bank of India"),
    Bank("AXIS", "Axis Bank"),
)
SANDBOX_KID = "sandbox-aa-2026"
SANDBOX_CONSENT_DAYS = 30


@lru_cache(maxsize=1)
def sandbox_key() -> ec.EllipticCurvePrivateKey:
    """The sandbox aggregator's signing key: a fixed P-256 key derived from a public constant
    (docs/sandbox.md), so every run and every process signs and verifies alike. Not a secret."""
    scalar = int.from_bytes(hashlib.sha256(b"gst-credit sandbox account aggregator").digest(), "big")
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    return ec.derive_private_key(scalar % order, ec.SECP256R1())


def sandbox_jwks() -> dict:
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(sandbox_key().public_key()))
    return {"keys": [{**public, "kid": SANDBOX_KID, "use": "sig", "alg": "ES256"}]}


def sandbox_sign(claims: dict, *, ttl_seconds: int = 300) -> str:
    now = int(time.time())
    body = {"iss": settings.AA_ISSUER, "aud": settings.AA_CLIENT_ID, "iat": now, "exp": now + ttl_seconds, **claims}
    return jwt.encode(body, sandbox_key(), algorithm="ES256", headers={"kid": SANDBOX_KID})


class SandboxAggregator:
    """Deterministic: four banks; a consent waits PENDING until approved or rejected through
    /sandbox/aa/consents/{handle}/approve|reject (apps/banking/sandbox.py); every answer is a
    token signed with the sandbox key and verified like a real aggregator's."""

    def __init__(self):
        self.keys = InProcessJwks(sandbox_jwks)

    def banks(self) -> list[Bank]:
        return list(SANDBOX_BANKS)

    def consent_request(self, *, bank, customer_ref, fi_types, months, purpose) -> ConsentRequested:
        require_no_transaction("the account aggregator")
        handle = f"sbx-{secrets.token_hex(12)}"
        expires_at = timezone.now() + datetime.timedelta(days=SANDBOX_CONSENT_DAYS)
        SandboxAaConsent.objects.create(
            consent_handle=handle, bank=bank, customer_ref=customer_ref, expires_at=expires_at
        )
        url = f"{settings.PUBLIC_URL}/sandbox/aa/consents/{handle}"
        return ConsentRequested(handle, url, expires_at)

    def fi_fetch(self, consent_handle: str, *, date_from, date_to) -> Fetched:
        require_no_transaction("the account aggregator")
        row = SandboxAaConsent.objects.filter(consent_handle=consent_handle).first()
        if row is None:
            raise AggregatorUnavailable(f"unknown consent handle {consent_handle}", status="404")
        if row.outage:
            raise AggregatorUnavailable(f"{row.bank} is not answering", status="503", attempts=3)
        if row.status != "ACTIVE" or row.expires_at <= timezone.now():
            raise AggregatorUnavailable(f"the consent is {row.status}", status="403")
        months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month
        account = sandbox_statement(pan=row.customer_ref, bank=row.bank, date_to=date_to, months=months)
        account["transactions"] = [t for t in account["transactions"] if t["value_date"] >= date_from.isoformat()]
        token = sandbox_sign({"consent_handle": consent_handle, "bank": row.bank, "accounts": [account]})
        return Fetched(verified_claims(token, self.keys))

    def consent_status(self, consent_handle: str) -> dict:
        require_no_transaction("the account aggregator")
        row = SandboxAaConsent.objects.filter(consent_handle=consent_handle).first()
        if row is None:
            raise AggregatorUnavailable(f"unknown consent handle {consent_handle}")
        status = "EXPIRED" if row.expires_at <= timezone.now() and row.status != "REVOKED" else row.status
        token = sandbox_sign(
            {
                "consent_handle": row.consent_handle,
                "status": status,
                "bank": row.bank,
                "expires_at": row.expires_at.isoformat(),
            }
        )
        return verified_claims(token, self.keys)

    def notification_claims(self, token: str) -> dict:
        return verified_claims(token, self.keys)


# The real aggregator over HTTP --------------------------------------------------------------


class HttpAggregator:
    """The aggregator's REST API: a client-credentials bearer token (fetched again on a 401),
    signed status answers verified against its JWKS (AA_JWKS_URL)."""

    def __init__(self):
        self.http = JsonHttpClient(settings.AA_API_URL, timeout=settings.AA_TIMEOUT_SECONDS)
        self.keys = jwks_client(settings.AA_JWKS_URL)
        self._token = ""

    def _bearer(self, *, fresh: bool = False) -> dict:
        if fresh or not self._token:
            answer = self.http.post(
                "/token", {"client_id": settings.AA_CLIENT_ID, "client_secret": settings.AA_CLIENT_SECRET}
            )
            self._token = answer.body["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        return self._answer(method, path, payload).body

    def _answer(self, method: str, path: str, payload: dict | None = None):
        require_no_transaction("the account aggregator")
        client = JsonHttpClient(settings.AA_API_URL, timeout=settings.AA_TIMEOUT_SECONDS)
        for fresh in (False, True):
            try:
                client.headers = self._bearer(fresh=fresh)
                return client.request(method, path, payload)
            except ProviderError as exc:
                if exc.status != 401 or fresh:  # a first 401 means our token expired: fetch another
                    raise AggregatorUnavailable(f"{method} {path}: {exc.status}", status=str(exc.status)) from exc
            except ProviderUnavailable as exc:
                # JsonHttpClient has already retried network errors and 5xx with backoff.
                raise AggregatorUnavailable(str(exc), attempts=client.retries + 1) from exc
        raise AssertionError("unreachable: the second attempt returns or raises")

    def banks(self) -> list[Bank]:
        return [Bank(row["id"], row["name"]) for row in self._call("GET", "/banks")["banks"]]

    def consent_request(self, *, bank, customer_ref, fi_types, months, purpose) -> ConsentRequested:
        body = self._call(
            "POST",
            "/consents",
            {"bank": bank, "customer_ref": customer_ref, "fi_types": fi_types, "months": months, "purpose": purpose},
        )
        expires_at = datetime.datetime.fromisoformat(body["expires_at"])
        return ConsentRequested(body["consent_handle"], body["approval_url"], expires_at)

    def consent_status(self, consent_handle: str) -> dict:
        return verified_claims(self._call("GET", f"/consents/{consent_handle}")["token"], self.keys)

    def notification_claims(self, token: str) -> dict:
        return verified_claims(token, self.keys)

    def fi_fetch(self, consent_handle: str, *, date_from, date_to) -> Fetched:
        answer = self._answer(
            "POST",
            "/fi/fetch",
            {"consent_handle": consent_handle, "from": date_from.isoformat(), "to": date_to.isoformat()},
        )
        return Fetched(verified_claims(answer.body["token"], self.keys), attempts=answer.attempts)


@lru_cache(maxsize=1)
def _http_aggregator() -> HttpAggregator:
    return HttpAggregator()  # one per process: its JWKS cache and bearer token are worth keeping


def get_aggregator() -> Aggregator:
    if settings.SANDBOX or not settings.AA_API_URL:
        return SandboxAggregator()
    return _http_aggregator()
