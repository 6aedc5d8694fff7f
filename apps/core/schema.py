"""OpenAPI pieces shared by every app's views.

The schema at /api/schema/ is the contract a generated client is built from, so it says what
the server really answers, not only the happy path:

- `AutoSchema` (REST_FRAMEWORK's DEFAULT_SCHEMA_CLASS) documents the `Idempotency-Key` header,
  with its limits, on every operation whose handler is wrapped by `@idempotent`: no view can
  forget it, and none declares it by hand. A PATCH that validates its whole body
  (`partial_patch = False` on the view) is documented with its required fields.
- `postprocess_error_responses` (a drf-spectacular postprocessing hook) adds the one error body
  of apps/core/errors.py as the `Error` component and documents 400, 401, 403, 404, 409, 422 and
  429 (with `Retry-After`) on every operation, unless a view documents that status itself.
"""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from apps.core.idempotency import HEADER, MAX_KEY_LENGTH, idempotent

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        # Printable ASCII; no space at either end (HTTP strips it from a header value).
        "pattern": "^[!-~](?:[ -~]*[!-~])?$",
    },
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes a retry safe: the same key and body replay the first response (24 h); the same key with "
        "another body → 422; the same key while the first request still runs → 409. "
        f"1 to {MAX_KEY_LENGTH} printable ASCII characters, scoped to the caller."
    ),
)

# Every function `idempotent` returns runs this one code object: that is how a handler is recognised.
_IDEMPOTENT_CODE = idempotent(lambda *args, **kwargs: None).__code__


def takes_idempotency_key(view, method: str) -> bool:
    handler = getattr(view, method.lower(), None)
    return getattr(handler, "__code__", None) is _IDEMPOTENT_CODE


class AutoSchema(BaseAutoSchema):
    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if takes_idempotency_key(self.view, self.method):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def _get_request_for_media_type(self, serializer, direction="request"):
        # drf-spectacular documents every PATCH body as partial (no field required), as DRF's
        # UpdateModelMixin validates it. A view whose PATCH validates the whole body says so with
        # `partial_patch = False`, and its schema then requires what the server requires.
        if self.method == "PATCH" and getattr(self.view, "partial_patch", True) is False:
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)


ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "The one error body of every 4xx answer. `code` is stable and machine-readable (e.g. `invalid`, "
        "`not_found`, `conflict`, `limit_exceeded`, `idempotency_mismatch`); `errors` names the fields at "
        "fault on a 400; some codes add keys of their own (e.g. `limit` with `limit_exceeded`)."
    ),
    "properties": {
        "detail": {"type": "string", "description": "A sentence for a person."},
        "code": {"type": "string", "description": "What went wrong, for a program."},
        "errors": {
            "type": "object",
            "description": "Messages by field name (`non_field_errors` for the body as a whole).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}

# status → (name of the shared response in components.responses, description)
ERROR_RESPONSES = {
    "400": ("BadRequest", "The input breaks a rule: `errors` names the fields."),
    "401": ("Unauthorized", "No valid access token (missing, expired, revoked, or of a frozen user)."),
    "403": ("Forbidden", "The caller's role may not do this."),
    "404": ("NotFound", "Not found, or not the caller's."),
    "409": (
        "Conflict",
        "The object's state does not allow this (e.g. an offer already taken), or a request with the same "
        "Idempotency-Key is still running.",
    ),
    "422": ("Unprocessable", "Understood but refused: e.g. the Idempotency-Key was already used with another request."),
    "429": ("TooManyRequests", "Too many requests: wait `Retry-After` seconds."),
}

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _error_response(status: str) -> dict:
    response = {
        "description": ERROR_RESPONSES[status][1],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}},
    }
    if status == "429":
        response["headers"] = RETRY_AFTER
    return response


def postprocess_error_responses(result, generator, request, public):
    """Document the one error body on every operation (a drf-spectacular POSTPROCESSING_HOOK)."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    shared = components.setdefault("responses", {})
    for status, (name, _) in ERROR_RESPONSES.items():
        shared[name] = _error_response(status)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, (name, _) in ERROR_RESPONSES.items():
                responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
            # A view that documents its own 429 (naming its codes) still says when to retry.
            own_429 = responses.get("429", {})
            if "$ref" not in own_429:
                own_429.setdefault("headers", RETRY_AFTER)
            operation["responses"] = dict(sorted(responses.items()))
    return result


class ErrorSerializer(serializers.Serializer):
    """The one error body of apps.core.errors, for a view that documents an error of its own
    (its component is the same `Error` the postprocessing hook defines)."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def error(description: str) -> OpenApiResponse:
    """An error response for @extend_schema(responses=...), its `code` values named in `description`."""
    return OpenApiResponse(response=ErrorSerializer, description=description)
