import ipaddress
import logging
import re
import time

from django.conf import settings

from apps.audit import context
from apps.core.pii import mask

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# One line per request (the access log): method, path without its query, status, duration.
request_log = logging.getLogger("gst.request")


def parse_ip(value: str) -> str | None:
    """An address out of what a proxy or client wrote, or None: leniently, never raising.

    Accepts `1.2.3.4`, `1.2.3.4:5555`, `2001:db8::1`, `[::1]:80` and quoted forms; anything
    that is not an address is ignored rather than allowed to reach the audit table's inet
    column (which refused it with a 500).
    """
    value = value.strip().strip('"').strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has several colons
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def request_client_ip(request):
    """The client's address, trusting X-Forwarded-For only as far as our own proxies wrote it.

    Each trusted proxy appends the address it saw, so with N of them the client is the N-th
    entry from the right; anything further left was sent by the client and can be forged
    (which would defeat the per-IP OTP limit and login lockout, and falsify the audit trail).
    When that entry is not an address, the peer's own address stands in. django-axes takes
    the address from here too (AXES_CLIENT_IP_CALLABLE).
    """
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if hops and len(forwarded) >= hops and (address := parse_ip(forwarded[-hops])):
        return address
    return parse_ip(request.META.get("REMOTE_ADDR") or "")


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID), binds actor/IP context for audit and
    the log lines, and writes the request's access-log line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else context.new_request_id()
        request.request_id = request_id
        tokens = context.bind(request_id=request_id, ip=request_client_ip(request), request=request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            request_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": mask(request.path),
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
        finally:
            context.unbind(tokens)
        response["X-Request-ID"] = request_id
        return response
