"""Domain errors and the API's one error body.

Services raise these; the DRF exception handler turns them (and DRF's own errors) into
`{"detail": ..., "code": ..., "errors": {field: [messages]}}` with the right status.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, extra=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}
        if code:
            self.code = code


class InvalidInput(DomainError):
    """400: the input breaks a rule; `field` names the culprit."""

    code = "invalid"


class Unauthenticated(DomainError):
    """401: the credentials (a token, a second-factor code) are missing, wrong or dead."""

    status_code = status.HTTP_401_UNAUTHORIZED
    code = "not_authenticated"


class Conflict(DomainError):
    """409: the object's state does not allow the action."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


def found(row, message: str, **kwargs):
    """`row` (a lookup's `.first()`), or 404 with `message` when there is none."""
    if row is None:
        raise NotFound(message, **kwargs)
    return row


def required_reason(reason, message: str = "A reason is required.") -> str:
    """The reason an ops decision is audited with: trimmed, and never blank (400 on `reason`)."""
    reason = str(reason or "").strip()
    if not reason:
        raise InvalidInput(message, field="reason")
    return reason


# What an operation on money that a second person reads later (a waiver, a limit override, a
# four-eyes request) must be explained with, at least.
MIN_REASON_LENGTH = 10


def explained_reason(reason) -> str:
    """required_reason, and at least MIN_REASON_LENGTH characters of it (400 on `reason`)."""
    reason = str(reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise InvalidInput(f"Say why, in at least {MIN_REASON_LENGTH} characters.", field="reason")
    return reason


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"


class Unprocessable(DomainError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "unprocessable"


class Unavailable(DomainError):
    """503: an outside party we depend on (a rail) did not do its part; nothing was done."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "unavailable"


class RateLimited(DomainError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


def error_body(detail, code, errors=None, extra=None) -> dict:
    """The API's one error body; every error answer is built here."""
    body = {"detail": str(detail), "code": code}
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        errors = {exc.field: [exc.message]} if exc.field else None
        response = Response(error_body(exc.message, exc.code, errors, exc.extra), status=exc.status_code)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        if isinstance(exc, Unauthenticated):
            response["WWW-Authenticate"] = 'Bearer realm="api"'  # RFC 9110: a 401 names its scheme
        return response
    if isinstance(exc, TransitionNotAllowed):
        return Response(error_body(str(exc) or "transition not allowed", "conflict"), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "message_dict") else {"non_field_errors": exc.messages}
        return Response(error_body("Invalid input.", "invalid", errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("Invalid input.", "invalid", data)
    elif isinstance(exc, exceptions.APIException):
        detail, code = exc.detail, exc.get_codes()
        if isinstance(detail, dict):  # e.g. simplejwt: {"detail": ..., "code": ..., "messages": [...]}
            code = detail.get("code", exc.default_code)
            detail = detail.get("detail", exc.default_detail)
        response.data = error_body(detail, code if isinstance(code, str) else exc.default_code)
    return response


# Django's own error views (config/urls.py: handler400 ...) answer what never reaches a DRF
# view: an unknown path, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a crash. Under /api/ they
# answer with the same JSON body as every other error; the admin keeps Django's pages.


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if not _api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse(
            error_body("The request body is larger than this API accepts.", "request_too_large"), status=400
        )
    return JsonResponse(error_body("Bad request.", "bad_request"), status=400)


def permission_denied(request, exception=None):
    if not _api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse(
        error_body("You do not have permission to perform this action.", "permission_denied"), status=403
    )


def page_not_found(request, exception=None):
    if not _api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse(error_body("Not found.", "not_found"), status=404)


def server_error(request):
    if not _api(request):
        return defaults.server_error(request)
    return JsonResponse(error_body("A server error occurred.", "server_error"), status=500)
