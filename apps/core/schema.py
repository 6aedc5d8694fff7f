"""OpenAPI pieces shared by every app's views."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes a retry safe: the same key and body replay the first response (24 h).",
)


class ErrorSerializer(serializers.Serializer):
    """The one error body of apps.core.errors."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


def error(description: str) -> OpenApiResponse:
    """An error response for @extend_schema(responses=...), its `code` values named in `description`."""
    return OpenApiResponse(response=ErrorSerializer, description=description)
