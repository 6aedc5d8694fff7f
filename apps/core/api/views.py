import hmac
import os

from celery import current_app
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.metrics import COLLECTOR, outbox_lag_seconds


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
    throttle_classes: list = []

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


READY = inline_serializer(
    "Ready",
    {
        "status": serializers.ChoiceField(choices=["ok", "down"]),
        "checks": serializers.DictField(child=serializers.CharField()),
    },
)


def _check_migrations() -> str:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not pending else f"{len(pending)} unapplied"


def _check_outbox() -> str:
    lag = outbox_lag_seconds()
    return "ok" if lag <= settings.OUTBOX_MAX_LAG_SECONDS else f"lagging {int(lag)}s"


class ReadyView(APIView):
    """Readiness: is this instance fit to take traffic? The database answers, migrations are all
    applied, the broker answers and the outbox is not stuck. A load balancer stops sending
    requests while this is 503; /health (liveness) stays up, so the instance is not restarted."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(responses={200: READY, 503: READY})
    def get(self, request):
        checks = {"database": _check_database()}
        if checks["database"] == "ok":
            checks["migrations"] = _guarded(_check_migrations)
            checks["outbox"] = _guarded(_check_outbox)
        checks["broker"] = _check_broker()
        ready = all(value == "ok" for value in checks.values())
        return Response({"status": "ok" if ready else "down", "checks": checks}, status=200 if ready else 503)


def _guarded(check) -> str:
    try:
        return check()
    except Exception:  # noqa: BLE001 - a check that cannot run means "not ready"
        return "down"


def metrics_view(request):
    """Prometheus exposition of every series (django-prometheus's and apps/core/metrics.py's).

    With METRICS_TOKEN set, only `Authorization: Bearer <token>` may read it. Under gunicorn's
    several workers, PROMETHEUS_MULTIPROC_DIR makes every worker's counters add up (the
    prometheus_client multiprocess mode); without it this worker's own are served.
    """
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            response = HttpResponse("A bearer token is required.\n", status=401, content_type="text/plain")
            response["WWW-Authenticate"] = "Bearer"
            return response
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        # The gauges read from the database are this process's to serve, not per worker.
        registry.register(COLLECTOR)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
