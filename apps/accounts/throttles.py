"""Request rate limits for the whole API: DRF throttles per user and per IP address, by scope.

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
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import SimpleRateThrottle

from apps.audit import context

SCOPES = ("auth", "money", "reads", "writes")


def request_scope(request, view) -> str:
    scope = getattr(view, "throttle_scope", None)
    if scope == "auth":
        return "auth"
    if request.method in SAFE_METHODS:
        return "reads"
    return scope if scope in SCOPES else "writes"


class _LiveScopeThrottle(SimpleRateThrottle):
    """SimpleRateThrottle whose scope comes from the request and whose rate from constance."""

    who = ""

    def __init__(self):
        # The rate is read per request (allow_request), not once here: it is a live setting.
        pass

    def allow_request(self, request, view):
        self.scope = request_scope(request, view)
        self.rate = getattr(config, f"THROTTLE_{self.scope.upper()}_PER_{self.who.upper()}")
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = self.identity(request)
        return None if ident is None else f"throttle:{self.scope}:{self.who}:{ident}"


class UserRateThrottle(_LiveScopeThrottle):
    who = "user"

    def identity(self, request):
        user = getattr(request, "user", None)
        return user.pk if user is not None and user.is_authenticated else None


class IPRateThrottle(_LiveScopeThrottle):
    who = "ip"

    def identity(self, request):
        # The address the audit middleware worked out, trusting only our own proxies.
        return context.client_ip() or request.META.get("REMOTE_ADDR")
