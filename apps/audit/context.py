"""Per-request context (request id, IP, the request itself) for audit records and log lines."""

import contextvars
import logging
import uuid

_request_id = contextvars.ContextVar("request_id", default="")
_client_ip = contextvars.ContextVar("client_ip", default=None)
_request = contextvars.ContextVar("request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def bind(*, request_id: str, ip: str | None, request=None):
    return (_request_id.set(request_id), _client_ip.set(ip), _request.set(request))


def unbind(tokens):
    rid, ip, req = tokens
    _request_id.reset(rid)
    _client_ip.reset(ip)
    _request.reset(req)


def request_id() -> str:
    return _request_id.get()


def client_ip() -> str | None:
    return _client_ip.get()


def current_user():
    """The authenticated user of the current request (session or JWT), or None.

    DRF sets the underlying HttpRequest's user when it authenticates, so this sees API users too.
    """
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


class RequestContextLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = _request_id.get() or "-"
        return True
