"""The HTTP client every real provider (government KYC, GST, payouts, SMS) uses.

Timeouts on every call, a bounded number of retries with exponential backoff on connection
errors, timeouts and 5xx/429 answers, and one exception type for "the service did not answer
usefully" so providers can turn it into a clear outcome (e.g. MANUAL_REVIEW).
"""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.db import connection


class ProviderUnavailable(Exception):
    """The remote service timed out, refused, or kept answering 5xx/429 after every retry."""


def require_no_transaction(what: str) -> None:
    """Refuse to call an outside party with a transaction open (DESIGN.md "Money rails"): a slow
    rail would hold our row locks, and a rollback would leave a call nothing records. A test's
    own wrapping transaction (Django's TestCase marks it) does not count."""
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        raise RuntimeError(f"{what} calls an outside party: call it with no transaction open")


class ProviderError(Exception):
    """The remote service answered with a 4xx other than 429: retrying will not help."""

    def __init__(self, status: int, body):
        super().__init__(f"provider answered {status}")
        self.status = status
        self.body = body


@dataclass
class HttpResponse:
    status: int
    body: dict
    latency_ms: int
    attempts: int


@dataclass
class JsonHttpClient:
    base_url: str
    headers: dict = field(default_factory=dict)
    timeout: float = 5.0
    retries: int = 2
    backoff: float = 0.2  # seconds; doubles after every failed attempt
    sleep = staticmethod(time.sleep)

    def post(self, path: str, payload: dict) -> HttpResponse:
        return self.request("POST", path, payload)

    def get(self, path: str) -> HttpResponse:
        return self.request("GET", path, None)

    def request(self, method: str, path: str, payload: dict | None) -> HttpResponse:
        url = self.base_url.rstrip("/") + "/" + path.lstrip("/")
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Accept": "application/json", **self.headers}
        if data is not None:
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        last_error: Exception | None = None
        for attempt in range(1, self.retries + 2):
            request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    body = json.loads(response.read() or b"{}")
                    return HttpResponse(response.status, body, int((time.monotonic() - started) * 1000), attempt)
            except urllib.error.HTTPError as exc:
                if exc.code < 500 and exc.code != 429:
                    raise ProviderError(exc.code, _read_json(exc)) from exc
                last_error = exc
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last_error = exc
            if attempt <= self.retries:
                self.sleep(self.backoff * (2 ** (attempt - 1)))
        raise ProviderUnavailable(f"{method} {url} failed after {self.retries + 1} attempts: {last_error}")


def _read_json(exc: urllib.error.HTTPError):
    try:
        return json.loads(exc.read() or b"{}")
    except (ValueError, OSError):
        return {}
