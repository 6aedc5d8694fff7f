"""Payout rail: how disbursed money leaves the lender's bank account.

A payout may finish at once (SUCCEEDED), later (PENDING: the rail's webhook settles it) or be
refused (`PayoutRefused`: the payout FAILED). No answer at all (`PayoutUnreachable`: a timeout,
5xx after retries) leaves the outcome unknown, so the send is repeated with the same reference,
which the rail de-duplicates on: a payout that went through is answered again, never paid twice.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings

from apps.core.http import JsonHttpClient, ProviderError, ProviderUnavailable
from apps.loans.models import Payout

logger = logging.getLogger(__name__)


PayoutStatus = Payout.Status


@dataclass(frozen=True)
class PayoutResult:
    status: str
    reference: str
    utr: str = ""
    raw: dict = field(default_factory=dict)


class PayoutRefused(Exception):
    """The rail or the beneficiary's bank said no: nothing was paid."""


class PayoutUnreachable(Exception):
    """No answer: whether the money left is unknown until the same reference is sent again."""


class PayoutProvider(Protocol):
    def disburse(self, *, reference: str, amount: Decimal, beneficiary: dict) -> PayoutResult: ...


def sandbox_utr(reference: str) -> str:
    return "SBXPAY" + hashlib.sha256(reference.encode()).hexdigest()[:16].upper()


class SandboxPayoutProvider:
    """Deterministic by the beneficiary account's last four digits (docs/sandbox.md): 2222 stays
    PENDING (settled by the rail's webhook, `manage.py sandbox_rail payout-succeed`), 3333 the
    bank refuses, 4444 the rail does not answer; any other account is paid at once with a UTR
    derived from the reference (the same reference, the same UTR)."""

    def disburse(self, *, reference: str, amount: Decimal, beneficiary: dict) -> PayoutResult:
        ending = str(beneficiary.get("account_last4", ""))
        if ending == "4444":
            raise PayoutUnreachable("sandbox: the payout rail did not answer")
        if ending == "3333":
            raise PayoutRefused("sandbox: the beneficiary's bank refused the credit (account frozen)")
        logger.info("sandbox payout %s of %s", reference, amount)
        if ending == "2222":
            return PayoutResult(status=PayoutStatus.PENDING, reference=reference)
        return PayoutResult(status=PayoutStatus.SUCCEEDED, reference=reference, utr=sandbox_utr(reference))


class HttpPayoutProvider:
    STATUS = {"SUCCESS": PayoutStatus.SUCCEEDED, "PENDING": PayoutStatus.PENDING, "FAILED": PayoutStatus.FAILED}

    def __init__(self, client: JsonHttpClient):
        self.client = client

    def disburse(self, *, reference: str, amount: Decimal, beneficiary: dict) -> PayoutResult:
        payload = {"reference": reference, "amount": str(amount), "currency": "INR", "beneficiary": beneficiary}
        try:
            body = self.client.post("/payouts", payload).body
        except ProviderUnavailable as exc:
            raise PayoutUnreachable(str(exc)) from exc
        except ProviderError as exc:
            raise PayoutRefused(f"refused by the rail ({exc.status})") from exc
        status = self.STATUS.get(str(body.get("status", "")).upper())
        if status is None:
            # An answer we cannot read says nothing of the money: ask again with the reference.
            raise PayoutUnreachable(f"unreadable payout status {body.get('status')!r}")
        if status == PayoutStatus.FAILED:
            raise PayoutRefused(str(body.get("reason") or "payout failed at the rail")[:255])
        return PayoutResult(status=status, reference=reference, utr=str(body.get("utr") or "")[:64], raw=body)


def get_payout_provider() -> PayoutProvider:
    if settings.SANDBOX or not settings.PAYOUT_API_URL:
        return SandboxPayoutProvider()
    client = JsonHttpClient(
        settings.PAYOUT_API_URL,
        headers={"X-Api-Key": settings.PAYOUT_API_KEY},
        timeout=10.0,
        retries=2,
    )
    return HttpPayoutProvider(client)
