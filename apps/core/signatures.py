"""The webhook signature scheme, both ways (API.md): header
`X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.

The payment rail signs what it sends us with PAYMENT_WEBHOOK_SECRET; we sign what we send a
partner with that endpoint's secret. Verification is constant-time and refuses a timestamp
more than the tolerance away from now (a replayed old request), in either direction.
"""

import hashlib
import hmac
import time


class SignatureInvalid(Exception):
    """Missing, malformed, wrong, or outside the tolerance; the message says which."""


def sign(secret: str, body: bytes, *, t: int | None = None) -> str:
    t = int(time.time()) if t is None else int(t)
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def _parts(header: str) -> tuple[int, list[str]]:
    t, candidates = None, []
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            t = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if t is None or not candidates:
        raise SignatureInvalid("X-Signature must be t=<unix seconds>,v1=<hex digest>.")
    return t, candidates


def verify(secret: str, header: str, body: bytes, *, tolerance: int, now: float | None = None) -> int:
    """The signature's timestamp when `header` signs `body` under `secret`; else SignatureInvalid."""
    t, candidates = _parts(header)
    now = time.time() if now is None else now
    if abs(now - t) > tolerance:
        raise SignatureInvalid(f"The signature's timestamp is more than {tolerance} s from now.")
    expected = sign(secret, body, t=t).split("v1=", 1)[1]
    # Every candidate compared in constant time (a rail rotating its secret sends two).
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureInvalid("The signature does not match the body.")
    return t
