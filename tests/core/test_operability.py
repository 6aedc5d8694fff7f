"""What an on-call engineer relies on: rate limits per scope, /metrics, JSON logs, readiness, Sentry."""

import datetime
import io
import json
import logging
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from constance.test import override_config
from django.utils import timezone

from apps.core.metrics import celery_task_finished
from apps.core.models import Event, JobRun
from apps.core.pii import mask, mask_all
from apps.core.sentry import scrub, sentry_init
from apps.reports.models import DailyMetrics
from apps.webhooks.models import WebhookDelivery
from tests.support.receiver import start_receiver

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _statuses(send, times):
    return [send().status_code for _ in range(times)]


# Rate limits: a scope each, per user and per IP, at live rates.


def test_money_requests_are_limited_per_user_with_retry_after(borrower_client, api_client, officer):
    url = f"/api/v1/repayments/emi/{uuid.uuid4()}/pay"
    with override_config(THROTTLE_MONEY_PER_USER="2/minute"):
        answers = [borrower_client.post(url, {}, format="json") for _ in range(3)]
        assert [a.status_code for a in answers[:2]] != [429, 429] and answers[2].status_code == 429
        assert answers[2].json()["code"] == "throttled"
        assert 0 < int(answers[2]["Retry-After"]) <= 60
        # Another user on the same address still has their own allowance.
        api_client.force_authenticate(officer)
        assert api_client.post(url, {}, format="json").status_code != 429
        # A read by the throttled user is another scope.
        assert borrower_client.get("/api/v1/auth/me").status_code == 200


def test_reads_and_writes_have_their_own_rates(borrower_client):
    with override_config(THROTTLE_READS_PER_USER="2/minute", THROTTLE_WRITES_PER_USER="1/minute"):
        assert _statuses(lambda: borrower_client.get("/api/v1/auth/me"), 3) == [200, 200, 429]
        first, second = _statuses(lambda: borrower_client.post("/api/v1/auth/logout", {}, format="json"), 2)
        assert first != 429 and second == 429


def test_auth_requests_are_limited_per_ip_whoever_asks(api_client):
    def send(n):
        return api_client.post("/api/v1/auth/otp/send", {"phone": f"98765432{n:02d}"}, format="json")

    with override_config(THROTTLE_AUTH_PER_IP="2/minute"):
        answers = [send(n) for n in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["code"] == "throttled" and answers[2]["Retry-After"]


def test_a_wait_under_a_second_is_retry_after_one(borrower_client):
    with override_config(THROTTLE_READS_PER_USER="1/second"):
        first, second = (borrower_client.get("/api/v1/auth/me") for _ in range(2))
    assert first.status_code == 200 and second.status_code == 429
    assert second["Retry-After"] == "1"


def test_a_throttle_key_left_by_the_previous_release_is_not_read(borrower_client, borrower):
    from django.core.cache import cache

    # DRF's throttle kept a pickled list under "throttle:…": a rolling deploy meets such keys.
    cache.set(f"throttle:reads:user:{borrower.pk}", [1.0, 2.0], 60)
    assert borrower_client.get("/api/v1/auth/me").status_code == 200


def test_a_raised_live_rate_lets_requests_through_again(borrower_client):
    with override_config(THROTTLE_READS_PER_USER="1/minute"):
        assert _statuses(lambda: borrower_client.get("/api/v1/auth/me"), 2) == [200, 429]
    with override_config(THROTTLE_READS_PER_USER="100/minute"):
        assert borrower_client.get("/api/v1/auth/me").status_code == 200


def test_a_request_refused_per_ip_does_not_use_up_the_users_allowance(borrower_client):
    with override_config(THROTTLE_READS_PER_USER="2/minute", THROTTLE_READS_PER_IP="1/minute"):
        assert _statuses(lambda: borrower_client.get("/api/v1/auth/me"), 3) == [200, 429, 429]
    # The two refused reads counted nowhere: the user has one of two left.
    with override_config(THROTTLE_READS_PER_USER="2/minute", THROTTLE_READS_PER_IP="100/minute"):
        assert _statuses(lambda: borrower_client.get("/api/v1/auth/me"), 2) == [200, 429]


def test_rail_webhooks_and_probes_are_never_throttled(api_client):
    with override_config(THROTTLE_WRITES_PER_IP="1/minute", THROTTLE_READS_PER_IP="1/minute"):
        assert {api_client.post("/api/v1/webhooks/payments", b"{}", content_type="application/json").status_code
                for _ in range(3)} != {429}  # fmt: skip
        assert _statuses(lambda: api_client.get("/health"), 3).count(429) == 0


# /metrics


def _pending_event(*, age):
    return Event.objects.create(topic="t", aggregate_type="x", aggregate_id="1", occurred_at=timezone.now() - age)


def _scrape(client, **headers) -> str:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return response.content.decode()


def test_metrics_expose_requests_database_cache_jobs_outbox_webhooks_and_the_book(client, admin_client, settings):
    admin_client.get("/api/v1/auth/me")
    now = timezone.now()
    JobRun.objects.create(
        name="close_of_business", business_date=now.date(), status=JobRun.Status.SUCCEEDED, duration_ms=1500
    )
    _pending_event(age=datetime.timedelta(minutes=10))
    DailyMetrics.objects.create(
        business_date=now.date(), aum=Decimal("1000.00"), live_loans=3, npa_amount=Decimal("250.00"),
        by_classification={}, by_dpd_bucket={}, disbursed=0, collected=0, due_mtd=0, paid_against_due_mtd=0,
    )  # fmt: skip
    celery_task_finished("webhooks.deliver", "SUCCESS")
    celery_task_finished("webhooks.deliver", "FAILURE")

    text = _scrape(client)
    for series in (
        "django_http_requests_latency_seconds_by_view_method_bucket",
        "django_http_requests_total_by_view_transport_method_total",
        "django_db_query_duration_seconds_bucket",
        "gst_cache_operation_seconds_bucket",
        'gst_celery_tasks_total{state="FAILURE",task="webhooks.deliver"} 1.0',
        'gst_job_last_run_duration_seconds{job="close_of_business"} 1.5',
        'gst_job_runs_24h{job="close_of_business",status="SUCCEEDED"} 1.0',
        'gst_outbox_events{status="PENDING"} 1.0',
        'gst_webhook_deliveries{status="DEAD"} 0.0',
        "gst_book_aum_inr 1000.0",
        "gst_book_npa_ratio 0.25",
        "gst_book_live_loans 3.0",
    ):
        assert series in text, series
    lag = next(line for line in text.splitlines() if line.startswith("gst_outbox_lag_seconds "))
    assert float(lag.split()[1]) >= 600
    assert 'view="me"' in text or "auth/me" in text or "accounts" in text


def test_metrics_count_real_celery_task_runs_and_dead_deliveries(client):
    from apps.core.tasks import dispatch_events_task

    dispatch_events_task.apply()
    WebhookDelivery.objects.filter(pk__in=[]).update(status=WebhookDelivery.Status.DEAD)
    text = _scrape(client)
    assert 'gst_celery_tasks_total{state="SUCCESS",task="core.dispatch_events"} 1.0' in text


def test_metrics_need_the_bearer_token_when_one_is_set(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics"
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Bearer"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert "gst_outbox_lag_seconds" in _scrape(client, HTTP_AUTHORIZATION="Bearer s3cret-metrics")


# Logs


@pytest.fixture
def log_lines():
    """What the console handler writes (JSON, as configured), one parsed object per line."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        handler.setStream(previous)


def test_each_request_writes_one_json_line_with_its_request_id_and_user(borrower_client, borrower, log_lines):
    response = borrower_client.get("/api/v1/auth/me", HTTP_X_REQUEST_ID="req-0123456789abcdef")
    assert response["X-Request-ID"] == "req-0123456789abcdef"
    line = next(line for line in log_lines() if line["logger"] == "gst.request")
    assert line["request_id"] == "req-0123456789abcdef"
    assert line["user_id"] == str(borrower.pk)
    assert (line["level"], line["method"], line["path"], line["status"]) == ("INFO", "GET", "/api/v1/auth/me", 200)
    assert line["duration_ms"] >= 0 and line["timestamp"].startswith(str(timezone.now().year))


def test_log_lines_mask_phone_aadhaar_and_account_numbers(log_lines):
    logger = logging.getLogger("gst.test")
    logger.warning("otp to %s, aadhaar %s, account %s", "+91 98765 43210", "2345 6789 0123", "50100123456789")
    try:
        raise ValueError("payout to account 50100123456789 failed")
    except ValueError:
        logger.exception("payout failed")
    first, second = log_lines()
    assert first["message"] == "otp to XXXXXX3210, aadhaar XXXX-XXXX-0123, account XXXXX6789"
    assert "50100123456789" not in second["exc_info"] and "XXXXX6789" in second["exc_info"]


def test_masking_the_written_line_leaves_the_record_whole_for_other_handlers(log_lines):
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record)

    logger = logging.getLogger("gst.test.keep")
    logger.addHandler(keep := Keep())
    try:
        try:
            raise ValueError("no")
        except ValueError:
            logger.exception("payout to %s failed", "50100123456789")
    finally:
        logger.removeHandler(keep)
    [record] = seen
    assert record.exc_info is not None and record.args == ("50100123456789",)
    assert log_lines()[-1]["message"] == "payout to XXXXX6789 failed"


def test_masking_leaves_amounts_dates_and_identifiers_alone():
    text = (
        "loan GC-2026-000123 paid 1250000000.50 on 2026-12-05 by 27ABCDE1234F1Z5 ref 12345678 "
        "/loans/12345678-1234-4234-8234-123456789012/intents"
    )
    assert mask(text) == text
    assert mask_all({"a": ["call 9876543210"], "b": ("x", 5)}) == {"a": ["call XXXXXX3210"], "b": ("x", 5)}


# Readiness


def test_ready_checks_database_migrations_broker_and_outbox(client, settings):
    body = client.get("/health/ready").json()
    assert body == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "outbox": "ok", "broker": "ok"}}
    _pending_event(age=datetime.timedelta(hours=1))
    settings.OUTBOX_MAX_LAG_SECONDS = 60
    stuck = client.get("/health/ready")
    assert stuck.status_code == 503 and stuck.json()["checks"]["outbox"].startswith("lagging")
    assert client.get("/health").status_code == 200  # liveness stays up: no restart for a lag


def test_ready_is_503_while_a_migration_is_unapplied(client, monkeypatch):
    from apps.core.api import views

    class Pending(views.MigrationExecutor):
        def migration_plan(self, targets, clean_start=False):
            return [("core", "9999_future")]

    monkeypatch.setattr(views, "MigrationExecutor", Pending)
    answer = client.get("/health/ready")
    assert answer.status_code == 503 and answer.json()["checks"]["migrations"] == "1 unapplied"


# Sentry


def test_without_a_dsn_nothing_is_sent(settings):
    import sentry_sdk

    settings.SENTRY_DSN = ""
    assert sentry_init() is False
    assert not sentry_sdk.get_client().is_active()


def test_sentry_scrub_masks_personal_numbers_anywhere_in_the_report():
    event = {"message": "OTP for 9876543210", "extra": {"vars": {"account": "50100123456789", "n": 7}}}
    assert scrub(event, {}) == {"message": "OTP for XXXXXX3210", "extra": {"vars": {"account": "XXXXX6789", "n": 7}}}


def test_a_report_sent_with_a_dsn_carries_no_personal_numbers():
    """A real sentry-sdk client, in its own interpreter (its Django integration patches Django
    process-wide), sends to a local receiver standing in for Sentry."""
    receiver, server = start_receiver()
    try:
        host, port = server.server_address[:2]
        code = (
            "import django, sentry_sdk; django.setup()\n"
            "sentry_sdk.capture_message('borrower 9876543210 account 50100123456789')\n"
            "def refresh_session(refresh, otp):\n"
            "    raise ValueError('refresh failed')\n"
            "try:\n"
            "    refresh_session('rt-secret-value-123', '135790')\n"
            "except ValueError:\n"
            "    sentry_sdk.capture_exception()\n"
            "sentry_sdk.flush(5)\n"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "SENTRY_DSN": f"http://key@{host}:{port}/1"}
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    finally:
        server.shutdown()
    bodies = b"".join(_decoded(r) for r in receiver.received)
    assert b"XXXXXX3210" in bodies and b"XXXXX6789" in bodies
    assert b"9876543210" not in bodies and b"50100123456789" not in bodies
    assert b"refresh failed" in bodies  # the exception went, with its frames...
    assert b"rt-secret-value-123" not in bodies and b"135790" not in bodies  # ...but not the secrets in them


def _decoded(received) -> bytes:
    import gzip
    import zlib

    encoding = {k.lower(): v for k, v in received.headers.items()}.get("content-encoding", "")
    if encoding == "gzip":
        return gzip.decompress(received.body)
    if encoding == "deflate":
        return zlib.decompress(received.body)
    return received.body


def test_metrics_in_multiprocess_mode_still_serve_the_gauges(client, monkeypatch, tmp_path):
    """Under gunicorn (PROMETHEUS_MULTIPROC_DIR set) the workers' counters come from their files
    and the database gauges from the worker that answers."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert 'gst_webhook_deliveries{status="DEAD"} 0.0' in _scrape(client)


def test_a_live_rate_is_checked_when_saved_and_every_default_parses(settings):
    from django import forms
    from rest_framework.throttling import SimpleRateThrottle

    field = forms.RegexField(regex=settings.CONSTANCE_ADDITIONAL_FIELDS["throttle_rate"][1]["regex"])
    for bad in ("lots", "0/minute", "10/fortnight", "10 / minute"):
        with pytest.raises(forms.ValidationError):
            field.clean(bad)
    throttles = {k: v for k, v in settings.CONSTANCE_CONFIG.items() if k.startswith("THROTTLE_")}
    assert len(throttles) == 8
    for default, _help, kind in throttles.values():
        assert kind == "throttle_rate" and field.clean(default) == default
        assert SimpleRateThrottle.parse_rate(None, default)[0] > 0


def test_djangos_own_error_lines_carry_the_request_id_too(api_client, log_lines):
    api_client.get("/api/v1/auth/me", HTTP_X_REQUEST_ID="req-unauthorised-42")
    refused = next(line for line in log_lines() if line["logger"] == "django.request")
    assert refused["request_id"] == "req-unauthorised-42"
