"""The sandbox aggregator's side of a consent: the borrower deciding in "the aggregator's app".

/sandbox/aa/consents/{handle}/approve|reject (and pause, resume, revoke, for the other states)
change the sandbox's own record, then do what a real aggregator's notification makes us do:
ask it for the consent's status and follow the signed answer (apps/banking/services.py).
/outage and /restore take the consent's bank down and bring it back: while down, its data
fetches answer 503 (a sync keeps the last good data and says stale). 404 unless SANDBOX.
"""

from django.db import transaction

from apps.banking.models import Consent, SandboxAaConsent
from apps.banking.services import consents_refresh
from apps.core.errors import Conflict, NotFound

# decision -> (the sandbox statuses it applies to, the status it leaves)
DECISIONS = {
    "approve": (("PENDING",), "ACTIVE"),
    "reject": (("PENDING",), "REJECTED"),
    "pause": (("ACTIVE",), "PAUSED"),
    "resume": (("PAUSED",), "ACTIVE"),
    "revoke": (("ACTIVE", "PAUSED"), "REVOKED"),
}
# decision -> whether the bank is down after it (any status)
BANK_SWITCHES = {"outage": True, "restore": False}


def sandbox_bank_switch(*, consent_handle: str, decision: str) -> SandboxAaConsent:
    row = SandboxAaConsent.objects.filter(consent_handle=consent_handle).first()
    if row is None:
        raise NotFound("No such consent at the sandbox aggregator.")
    row.outage = BANK_SWITCHES[decision]
    row.save(update_fields=["outage"])
    return row


def sandbox_consent_decide(*, consent_handle: str, decision: str) -> SandboxAaConsent:
    if decision in BANK_SWITCHES:
        return sandbox_bank_switch(consent_handle=consent_handle, decision=decision)
    if decision not in DECISIONS:
        raise NotFound("No such decision.")
    sources, target = DECISIONS[decision]
    with transaction.atomic():
        row = SandboxAaConsent.objects.select_for_update().filter(consent_handle=consent_handle).first()
        if row is None:
            raise NotFound("No such consent at the sandbox aggregator.")
        if row.status not in sources:
            raise Conflict(f"The consent is {row.status}.", code="consent_state")
        row.status = target
        row.save(update_fields=["status"])
    # The aggregator's notification, in-process: we ask and follow, as for a real one.
    consents_refresh(consents=list(Consent.objects.filter(consent_handle=consent_handle)))
    return row
