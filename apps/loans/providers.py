"""Payout rail: how disbursed money leaves the lender's bank account.

The interface allows a payout to finish at once (SUCCEEDED), later (PENDING, settled by a
callback) or not at all (FAILED). Every payout carries our own reference (the loan id), which a
real rail uses to de-duplicate, so a retried sanction can never pay twice.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings

from apps.core.http import JsonHttpClient, ProviderError, ProviderUnavailable
from apps.loans.models import Loan

logger = logging.getLogger(__name__)


# A payout's answer is told in the loan's own words (Loan.payout_status).
PayoutStatus = Loan.PayoutStatus


@dataclass(frozen=True)
class PayoutResult:
    status: str
    reference: str
    utr: str = ""
    failure_reason: str = ""
    raw: dict = field(default_factory=dict)


class PayoutFailed(Exception):
    """The rail refused or could not be reached; the sanction must not go ahead."""


class PayoutProvider(Protocol):
    def disburse(self, *, reference: str, amount: Decimal, beneficiary: dict) -> PayoutResult: ...


class SandboxPayoutProvider:
    """Succeeds at once with a deterministic UTR. A beneficiary named "FAIL PAYOUT" is refused."""

    def disburse(self, *, reference: str, amount: Decimal, beneficiary: dict) -> PayoutResult:
        if beneficiary.get("name", "").upper() == "FAIL PAYOUT":
            raise PayoutFailed("sandbox: beneficiary account rejected by the bank")
        utr = "SBXUTR" + reference.replace("-", "")[:16].upper()
        logger.info("sandbox payout %s of %s", reference, amount)
        return PayoutResult(status=PayoutStatus.SUCCEEDED, reference=reference, utr=utr)


class HttpPayoutProvider:
    STATUS = {"SUCCESS": PayoutStatus.SUCCEEDED, "PENDING": PayoutStatus.PENDING, "FAILED": PayoutStatus.FAILED}

    def __init__(self, client: JsonHttpClient):
        self.client = client

    def disburse(self, *, reference: str, amount: Decimal, beneficiary: dict) -> PayoutResult:
        payload = {"reference": reference, "amount": str(amount), "currency": "INR", "beneficiary": beneficiary}
        try:
            body = self.client.post("/payouts", payload).body
        except (ProviderUnavailable, ProviderError) as exc:
            raise PayoutFailed(str(exc)) from exc
        status = self.STATUS.get(str(body.get("status", "")).upper())
        if status is None or status == PayoutStatus.FAILED:
            raise PayoutFailed(body.get("reason") or f"payout not accepted: {body.get('status')!r}")
        return PayoutResult(status=status, reference=reference, utr=body.get("utr", ""), raw=body)


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
