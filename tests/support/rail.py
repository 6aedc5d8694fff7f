"""Webhooks as the payment rail sends them: a JSON body signed with the sandbox secret."""

import itertools
import json
import time

from django.conf import settings

from apps.core.signatures import sign

_ids = itertools.count(1)


def rail_event(event_type: str, data: dict, *, event_id: str | None = None) -> dict:
    return {"id": event_id or f"evt_test_{next(_ids)}", "type": event_type, "created": int(time.time()), "data": data}


def post_webhook(client, body, *, secret=None, t=None, signature=None):
    """POST the event to the rail endpoint, signed unless `signature` is given (then sent as is)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    header = signature if signature is not None else sign(secret or settings.PAYMENT_WEBHOOK_SECRET, raw, t=t)
    return client.post("/api/v1/webhooks/payments", raw, content_type="application/json", HTTP_X_SIGNATURE=header)
