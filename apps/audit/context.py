"""Per-request context (request id, IP, the request itself) for audit records and log lines."""

import contextvars
import logging
import uuid

from pythonjsonlogger.json import JsonFormatter

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


class MaskingFormatter(logging.Formatter):
    """The plain formatter, with phone, Aadhaar and account numbers masked in what it writes
    (apps/core/pii.py): message, arguments and traceback alike.

    Masking the written line, not the record, leaves the record whole for every other handler:
    Sentry's logging integration still gets the traceback and the message template (its
    grouping), and a log call with bad arguments fails the way logging always does."""

    def format(self, record):
        return mask(super().format(record))


class MaskingJsonFormatter(JsonFormatter):
    """python-json-logger's formatter, masked the same way (the digits of keys, ids and
    timestamps are left alone: a run touching a letter, hyphen or point is not a number)."""

    def format(self, record):
        return mask(super().format(record))
