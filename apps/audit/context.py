"""Per-request context (request id, IP, the request itself) for audit records and log lines."""

import contextvars
import logging
import uuid

from apps.core.pii import mask

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
    """Puts the request id and the user's id on every log line written while a request runs."""

    def filter(self, record):
        # Django logs a 4xx/5xx ("django.request") after the middleware has unbound the context;
        # its record carries the request, which carries the id the middleware gave it.
        request = getattr(record, "request", None)
        record.request_id = _request_id.get() or getattr(request, "request_id", "") or "-"
        user = current_user() or getattr(request, "user", None)
        record.user_id = str(user.pk) if user is not None and user.is_authenticated else "-"
        return True


class MaskPiiLogFilter(logging.Filter):
    """Masks phone, Aadhaar and account numbers in the message and any traceback (apps/core/pii.py).

    The message is rendered here, once, so a number passed as an argument is masked too; the
    traceback is rendered into exc_text, which every formatter prints instead of exc_info.
    """

    def filter(self, record):
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
