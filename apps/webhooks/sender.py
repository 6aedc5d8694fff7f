"""Sending one delivery: a signed POST with a short timeout, no redirects (a redirect could
lead inside our network), and the answer reduced to (status code, error). The worker calls it
with no transaction open, many at once from a thread pool."""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from apps.core.signatures import sign
from apps.webhooks.destinations import UnsafeDestination, destination_check


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx is the answer: not delivered


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def delivery_body(event) -> bytes:
    """The body partners receive (API.md): exactly these bytes are signed."""
    return json.dumps(
        {
            "id": str(event.event_id),
            "type": event.topic,
            "created": int(event.occurred_at.timestamp()),
            "data": event.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def post_signed(*, url: str, secret: str, event_id: str, body: bytes, timeout: float) -> Outcome:
    try:
        destination_check(url)
    except UnsafeDestination as exc:
        return Outcome(None, f"refused: {exc}")
    request = urllib.request.Request(  # noqa: S310 (destination_check allows https only outside the sandbox)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "GSTCredit-Webhooks/1",
            "X-Event-Id": event_id,
            "X-Signature": sign(secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(1024)
            return Outcome(response.status, "")
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, f"answered {exc.code}")
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(None, f"{type(exc).__name__}: {reason}"[:500])
