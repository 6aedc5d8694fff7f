"""Domain errors and the API's one error body.

Services raise these; the DRF exception handler turns them (and DRF's own errors) into
`{"detail": ..., "code": ..., "errors": {field: [messages]}}` with the right status.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
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


class Conflict(DomainError):
    """409: the object's state does not allow the action."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


class NotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"


class Forbidden(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "forbidden"


class Unprocessable(DomainError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    code = "unprocessable"


class RateLimited(DomainError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = max(1, int(retry_after))


def _body(detail, code, errors=None, extra=None):
    body = {"detail": str(detail), "code": code}
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    return body


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        errors = {exc.field: [exc.message]} if exc.field else None
        response = Response(_body(exc.message, exc.code, errors, exc.extra), status=exc.status_code)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, TransitionNotAllowed):
        return Response(_body(str(exc) or "transition not allowed", "conflict"), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "message_dict") else {"non_field_errors": exc.messages}
        return Response(_body("Invalid input.", "invalid", errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = _body("Invalid input.", "invalid", data)
    elif isinstance(exc, exceptions.APIException):
        detail, code = exc.detail, exc.get_codes()
        if isinstance(detail, dict):  # e.g. simplejwt: {"detail": ..., "code": ..., "messages": [...]}
            code = detail.get("code", exc.default_code)
            detail = detail.get("detail", exc.default_detail)
        response.data = _body(detail, code if isinstance(code, str) else exc.default_code)
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception):
    """handler404: a URL that matches no route (e.g. an id that is not a UUID) answers the one error
    body under /api/, as every view does; elsewhere (the admin) Django's page."""
    if _is_api(request):
        return JsonResponse(_body("Not found.", "not_found"), status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: an unhandled exception answers the one error body under /api/."""
    if _is_api(request):
        return JsonResponse(
            _body("A server error occurred.", "server_error"), status=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    return defaults.server_error(request)
