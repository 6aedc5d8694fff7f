from celery import current_app
from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means "down" for a health probe
        return "down"


def _check_broker() -> str:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:  # noqa: BLE001
        return "down"


HEALTH = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "degraded", "down"]),
        "checks": serializers.DictField(child=serializers.ChoiceField(choices=["ok", "down"])),
        "sandbox": serializers.BooleanField(),
    },
)


class HealthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HEALTH, 503: HEALTH})
    def get(self, request):
        checks = {"database": _check_database(), "broker": _check_broker()}
        # The database is what the lender cannot run without; a broker outage degrades jobs only.
        healthy = checks["database"] == "ok"
        body = {
            "status": "ok" if healthy and checks["broker"] == "ok" else ("degraded" if healthy else "down"),
            "checks": checks,
            "sandbox": settings.SANDBOX,
        }
        return Response(body, status=200 if healthy else 503)
