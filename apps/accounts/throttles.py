"""Request rate limits for the whole API: one DRF throttle, per user and per IP address, by scope.

A view names its scope with `throttle_scope`: "auth" (OTP and token endpoints) or "money" (a
POST that moves or commits money: sanction, pay, prepay, foreclose, a payment intent, a mandate).
Any other request is "reads" (GET, HEAD, OPTIONS) or "writes". Every scope has a rate per user
and a higher one per IP (an office shares one address), both live settings (THROTTLE_* in the
admin's Live settings), so ops can tighten them during an attack without a deploy. Over the
rate the answer is 429 `throttled` with Retry-After (DRF's Throttled, through
apps/core/errors.py).

The signed rail webhooks and the health and metrics endpoints are not throttled
(`throttle_classes = []`): a rail answered 429 only retries, and a probe must always be answered.
The OTP endpoints keep their own per-phone limits too (apps/accounts/ratelimit.py).
"""

from constance import config
from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from apps.audit import context
from apps.core.cache_backends import RateWindow

SCOPES = ("auth", "money", "reads", "writes")


def request_scope(request, view) -> str:
    scope = getattr(view, "throttle_scope", None)
    if scope == "auth":
        return "auth"
    if request.method in SAFE_METHODS:
        return "reads"
    return scope if scope in SCOPES else "writes"


def parse_rate(rate: str) -> tuple[int, int]:
    """A rate read as DRF reads it, "100/minute" -> (100, 60): the live setting's field validates
    with the same reading (config/settings.py), so a rate means here what it meant at save."""
    return SimpleRateThrottle.parse_rate(None, rate)


def _identities(request) -> list[tuple[str, object]]:
    user = getattr(request, "user", None)
    # The address the audit middleware worked out, trusting only our own proxies.
    ip = context.client_ip() or request.META.get("REMOTE_ADDR")
    found = [("user", user.pk if user is not None and user.is_authenticated else None), ("ip", ip)]
    return [(who, identity) for who, identity in found if identity is not None]


class ScopeRateThrottle(BaseThrottle):
    """The request's scope at its live rates, per user and per IP, checked and counted at once.

    A request over either rate is refused and counted in neither window; one under both is
    counted in both. One cache call per request (a Lua script on Redis, atomic across every web
    process): see `rate_windows_hit` in apps/core/cache_backends.py.
    """

    def __init__(self):
        self.seconds_to_wait = 0.0

    def allow_request(self, request, view):
        scope = request_scope(request, view)
        windows = []
        for who, identity in _identities(request):
            # The rate is read per request: it is a live setting.
            limit, seconds = parse_rate(getattr(config, f"THROTTLE_{scope.upper()}_PER_{who.upper()}"))
            # Not DRF's "throttle:" keys, which hold a pickled list: during a rolling deploy the
            # old and the new code must not read each other's keys as the wrong Redis type.
            windows.append(RateWindow(f"ratewindow:{scope}:{who}:{identity}", limit, seconds))
        self.seconds_to_wait = cache.rate_windows_hit(windows) if windows else 0.0
        return not self.seconds_to_wait

    def wait(self):
        return self.seconds_to_wait
