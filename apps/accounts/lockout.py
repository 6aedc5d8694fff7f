"""django-axes glue: how long a lockout lasts, what a locked-out login sees, and its audit."""

import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from apps.audit.services import record

MESSAGE = "Too many failed logins for this username or from this address: login is locked."


def _cool_off():
    return get_cool_off(None)


def seconds_until_unlocked(*, username: str | None, ip: str | None) -> int:
    """When the lock lifts: a cool-off after the last failure that still counts. An upper bound
    when both the username and the address have failures behind them."""
    now, cool_off = timezone.now(), _cool_off()
    latest = AccessAttempt.objects.filter(
        Q(username=username) | Q(ip_address=ip), attempt_time__gte=now - cool_off
    ).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return math.ceil(cool_off.total_seconds())
    return max(1, math.ceil((latest + cool_off - now).total_seconds()))


def locked_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"{MESSAGE} Try again in {minutes} {unit}, or ask an ADMIN to unlock the account."


def username_lock(username: str) -> dict | None:
    """The live failures of a username, for the user page: {"failures", "locked", "until"}, or None."""
    now, cool_off = timezone.now(), _cool_off()
    live = AccessAttempt.objects.filter(username=username, attempt_time__gte=now - cool_off).aggregate(
        failures=Sum("failures_since_start"), latest=Max("attempt_time")
    )
    if not live["failures"]:
        return None
    return {
        "failures": live["failures"],
        "locked": live["failures"] >= settings.AXES_FAILURE_LIMIT,
        "until": live["latest"] + cool_off,
    }


def lockout_response(request, original_response, credentials):
    """AXES_LOCKOUT_CALLABLE: what a login that is (or just got) locked out answers."""
    if request.path.startswith("/api/"):
        # staff_login already raised RateLimited: our JSON body, code login_locked, Retry-After.
        return original_response
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    seconds = seconds_until_unlocked(username=username, ip=getattr(request, "axes_ip_address", None))
    # render(), not a TemplateResponse: axes' middleware answers after the view's response was rendered.
    response = render(
        request,
        "admin/login_locked.html",
        {**admin.site.each_context(request), "title": "Login locked", "message": locked_message(seconds)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def record_lockout(sender, request, username, ip_address, **kwargs):
    """axes' user_locked_out, sent for the try that locks and again for every try refused
    while locked; only the first is a lockout (axes counted that try, not the later ones)."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    record(
        "auth.locked_out",
        object_type="accounts.user",
        object_id=(username or "")[:64],
        after={"failures": request.axes_failures_since_start, "ip": ip_address},
        reason=f"{request.axes_failures_since_start} failed logins",
    )
