"""The sandbox payment rail's side of the loop (docs/sandbox.md): its pages, where a borrower
"pays" a payment intent or authorises a mandate, and its messenger, which sends this server the
rail's signed webhook through the real endpoint (`/api/v1/webhooks/payments`), as the rail would.
Only with SANDBOX on; `manage.py sandbox_rail` plays the same events from a shell."""

import json
import time
import urllib.error
import urllib.request
import uuid

from django.conf import settings

from apps.core.signatures import sign
from apps.loans.providers import sandbox_utr


class SandboxOnly(Exception):
    """The sandbox rail plays only with SANDBOX on."""


def deliver(base_url: str, event_type: str, data: dict) -> tuple[int, str]:
    """POST the rail's signed event to the server at `base_url`; (HTTP status, body)."""
    if not settings.SANDBOX:
        raise SandboxOnly("The sandbox rail plays only with SANDBOX on.")
    event = {"id": f"evt_sbx_{uuid.uuid4().hex}", "type": event_type, "created": int(time.time()), "data": data}
    body = json.dumps(event).encode()
    request = urllib.request.Request(  # noqa: S310 (this server, as the operator configured it)
        base_url.rstrip("/") + "/api/v1/webhooks/payments",
        data=body,
        headers={"Content-Type": "application/json", "X-Signature": sign(settings.PAYMENT_WEBHOOK_SECRET, body)},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, f"{event['id']}: {response.read().decode()}"
    except urllib.error.HTTPError as exc:
        return exc.code, f"{event['id']}: {exc.read().decode()}"


def new_utr() -> str:
    return "SBXUTR" + uuid.uuid4().hex[:16].upper()


def payment_event(intent, outcome: str, *, amount=None, utr: str = "", code: str = "U30") -> tuple[str, dict]:
    """The rail's word on a payment intent: paid (`amount`, default the intent's) or failed."""
    if outcome == "pay":
        return "payment.succeeded", {
            "intent_id": str(intent.pk),
            "amount": str(amount or intent.amount),
            "utr": utr or new_utr(),
        }
    return "payment.failed", {"intent_id": str(intent.pk), "return_code": code}


def mandate_event(mandate, outcome: str) -> tuple[str, dict]:
    umrn = "SBXUMRN" + uuid.uuid4().hex[:12].upper()
    kind = "mandate.activated" if outcome == "activate" else "mandate.rejected"
    return kind, {"mandate_id": str(mandate.pk), "umrn": umrn}


def payout_event(payout, outcome: str, *, utr: str = "", reason: str = "") -> tuple[str, dict]:
    """The rail's word on a payout it left PENDING: paid (the UTR its sandbox gives that
    reference, unless another is named) or failed."""
    if outcome == "succeed":
        return "payout.succeeded", {"reference": payout.reference, "utr": utr or sandbox_utr(payout.reference)}
    return "payout.failed", {"reference": payout.reference, "reason": reason}


def callback_base(request) -> str:
    """Where the sandbox rail sends its webhooks: the configured address, else this server as
    the page's request reached it."""
    return settings.SANDBOX_RAIL_CALLBACK_URL or request.build_absolute_uri("/").rstrip("/")
