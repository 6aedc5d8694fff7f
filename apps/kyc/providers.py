"""Government identity checks (GSTN, NSDL PAN, UIDAI Aadhaar) behind one interface.

The sandbox is deterministic: checksum-valid numbers verify, except for test PANs whose first
three letters pick an outcome (docs/sandbox.md). The same PAN sits inside the GSTIN, so one
prefix drives the whole onboarding:
    ZZN...  GSTIN not found          → REJECTED
    ZZC...  GSTIN cancelled          → REJECTED
    ZZM...  PAN name mismatch        → MANUAL_REVIEW
    ZZT...  the service times out    → MANUAL_REVIEW
"""

import hashlib
import time
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings

from apps.core.http import JsonHttpClient, ProviderError, ProviderUnavailable
from apps.kyc.models import KycCheck

Outcome = KycCheck.Outcome


@dataclass(frozen=True)
class CheckResult:
    check_type: str
    outcome: str
    reference: str = ""
    detail: str = ""
    latency_ms: int = 0
    data: dict = field(default_factory=dict)


class GovKycProvider(Protocol):
    def verify_gstin(self, *, gstin: str, legal_name: str) -> CheckResult: ...
    def verify_pan(self, *, pan: str, name: str) -> CheckResult: ...
    def verify_aadhaar(self, *, aadhaar: str) -> CheckResult: ...


def _reference(*parts: str) -> str:
    return "SBX" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:20].upper()


class SandboxGovProvider:
    def verify_gstin(self, *, gstin: str, legal_name: str) -> CheckResult:
        prefix = gstin[2:5]
        if prefix == "ZZT":
            return CheckResult("GSTIN", Outcome.UNAVAILABLE, detail="sandbox: GSTN timed out")
        if prefix == "ZZN":
            return CheckResult("GSTIN", Outcome.NOT_FOUND, detail="sandbox: GSTIN not registered")
        if prefix == "ZZC":
            return CheckResult("GSTIN", Outcome.CANCELLED, detail="sandbox: registration cancelled")
        return CheckResult(
            "GSTIN",
            Outcome.VERIFIED,
            reference=_reference(gstin),
            data={"status": "ACTIVE", "registration_date": "2019-07-01", "legal_name": legal_name},
        )

    def verify_pan(self, *, pan: str, name: str) -> CheckResult:
        if pan.startswith("ZZT"):
            return CheckResult("PAN", Outcome.UNAVAILABLE, detail="sandbox: NSDL timed out")
        if pan.startswith("ZZM"):
            return CheckResult("PAN", Outcome.NAME_MISMATCH, detail="sandbox: name on PAN differs")
        return CheckResult("PAN", Outcome.VERIFIED, reference=_reference(pan))

    def verify_aadhaar(self, *, aadhaar: str) -> CheckResult:
        return CheckResult("AADHAAR", Outcome.VERIFIED, reference=_reference(aadhaar[-4:], "uidai"))


class HttpGovProvider:
    """GOV_API_URL with key and secret. A service that is down or slow gives UNAVAILABLE, which
    the onboarding turns into MANUAL_REVIEW: our outage never rejects a borrower."""

    def __init__(self, client: JsonHttpClient):
        self.client = client

    def _call(self, check_type: str, path: str, payload: dict, interpret) -> CheckResult:
        started = time.monotonic()
        try:
            response = self.client.post(path, payload)
        except ProviderUnavailable as exc:
            return CheckResult(check_type, Outcome.UNAVAILABLE, detail=str(exc)[:255], latency_ms=_ms(started))
        except ProviderError as exc:
            if exc.status == 404:
                return CheckResult(check_type, Outcome.NOT_FOUND, detail="not found", latency_ms=_ms(started))
            return CheckResult(
                check_type, Outcome.UNAVAILABLE, detail=f"refused ({exc.status})", latency_ms=_ms(started)
            )
        outcome, detail = interpret(response.body)
        return CheckResult(
            check_type,
            outcome,
            reference=str(response.body.get("reference", ""))[:64],
            detail=detail,
            latency_ms=response.latency_ms,
            data=response.body,
        )

    def verify_gstin(self, *, gstin: str, legal_name: str) -> CheckResult:
        def interpret(body):
            status = str(body.get("status", "")).upper()
            if status == "CANCELLED":
                return Outcome.CANCELLED, "registration cancelled"
            if status == "ACTIVE":
                return Outcome.VERIFIED, ""
            return Outcome.UNAVAILABLE, f"unexpected status {status!r}"

        return self._call("GSTIN", "/gstin/verify", {"gstin": gstin, "legal_name": legal_name}, interpret)

    def verify_pan(self, *, pan: str, name: str) -> CheckResult:
        def interpret(body):
            if not body.get("valid"):
                return Outcome.NOT_FOUND, "PAN not valid"
            if not body.get("name_match", False):
                return Outcome.NAME_MISMATCH, "name on PAN differs"
            return Outcome.VERIFIED, ""

        return self._call("PAN", "/pan/verify", {"pan": pan, "name": name}, interpret)

    def verify_aadhaar(self, *, aadhaar: str) -> CheckResult:
        def interpret(body):
            return (Outcome.VERIFIED, "") if body.get("valid") else (Outcome.NOT_FOUND, "Aadhaar not valid")

        return self._call("AADHAAR", "/aadhaar/verify", {"aadhaar": aadhaar}, interpret)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def get_gov_provider() -> GovKycProvider:
    if settings.SANDBOX or not settings.GOV_API_URL:
        return SandboxGovProvider()
    headers = {"X-Api-Key": settings.GOV_API_KEY, "X-Api-Secret": settings.GOV_API_SECRET}
    return HttpGovProvider(JsonHttpClient(settings.GOV_API_URL, headers=headers, timeout=5.0, retries=2))


# ---- Bank account verification (a penny drop through the payout rail) -------------------------

BANKS_BY_IFSC = {
    "HDFC": "HDFC Bank",
    "SBIN": "State Bank of India",
    "ICIC": "ICICI Bank",
    "UTIB": "Axis Bank",
    "KKBK": "Kotak Mahindra Bank",
    "PUNB": "Punjab National Bank",
    "BARB": "Bank of Baroda",
    "CNRB": "Canara Bank",
}


@dataclass(frozen=True)
class AccountCheck:
    verified: bool
    name_at_bank: str = ""
    bank_name: str = ""
    reference: str = ""
    detail: str = ""


class BankRailUnavailable(Exception):
    """The rail did not answer the penny drop; nothing is known about the account."""


class BankVerificationProvider(Protocol):
    def verify_account(self, *, reference: str, account_number: str, ifsc: str, holder_name: str) -> AccountCheck: ...


class SandboxBankVerification:
    """Deterministic by the account number's last four digits (docs/sandbox.md): 0000 the bank
    refuses (closed or invalid), 9999 the rail is down, 1111 the bank holds another name; any
    other number is verified with the holder name given."""

    def verify_account(self, *, reference: str, account_number: str, ifsc: str, holder_name: str) -> AccountCheck:
        bank = BANKS_BY_IFSC.get(ifsc[:4], f"{ifsc[:4]} Bank")
        ending = account_number[-4:]
        if ending == "9999":
            raise BankRailUnavailable("sandbox: the rail did not answer the penny drop")
        if ending == "0000":
            return AccountCheck(False, bank_name=bank, reference=_reference(reference), detail="account closed")
        name = "RAMESH KUMAR SHARMA" if ending == "1111" else holder_name.upper()
        return AccountCheck(True, name_at_bank=name, bank_name=bank, reference=_reference(reference))


class HttpBankVerification:
    def __init__(self, client: JsonHttpClient):
        self.client = client

    def verify_account(self, *, reference: str, account_number: str, ifsc: str, holder_name: str) -> AccountCheck:
        payload = {"reference": reference, "account_number": account_number, "ifsc": ifsc}
        try:
            body = self.client.post("/bank-accounts/verify", payload).body
        except ProviderUnavailable as exc:
            raise BankRailUnavailable(str(exc)) from exc
        except ProviderError as exc:
            return AccountCheck(False, reference=reference, detail=f"refused ({exc.status})")
        status = str(body.get("status", "")).upper()
        return AccountCheck(
            status == "VERIFIED",
            name_at_bank=str(body.get("name_at_bank") or "")[:150],
            bank_name=str(body.get("bank_name") or BANKS_BY_IFSC.get(ifsc[:4], ""))[:100],
            reference=str(body.get("reference") or reference)[:64],
            detail=str(body.get("reason") or "")[:255],
        )


def get_bank_verification() -> BankVerificationProvider:
    if settings.SANDBOX or not settings.PAYOUT_API_URL:
        return SandboxBankVerification()
    client = JsonHttpClient(
        settings.PAYOUT_API_URL, headers={"X-Api-Key": settings.PAYOUT_API_KEY}, timeout=10.0, retries=2
    )
    return HttpBankVerification(client)
