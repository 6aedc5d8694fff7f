"""Requests no client should send still get the one JSON error body and a 4xx, never a 500."""

import datetime

import jwt
import pytest
from django.conf import settings
from django.test import Client

from apps.audit.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/admin/audit-logs?action=%00", "action"),
        ("/api/v1/admin/audit-logs?object_id=a%00b", "object_id"),
        ("/api/v1/admin/jobs/runs?name=%00", "name"),
        ("/api/v1/recovery/?loan=%00", "loan"),
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_400(admin_client, path, field):
    response = admin_client.get(path)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [field]


def test_a_nul_byte_in_the_admin_search_is_400(admin_user):
    browser = Client()
    browser.force_login(admin_user)
    response = browser.get("/admin/audit/auditlog/?q=%00")
    assert response.status_code == 400


def test_a_nul_byte_in_a_json_string_is_400_and_changes_nothing(admin_client):
    before = AuditLog.objects.count()
    response = admin_client.post(
        "/api/v1/admin/users", {"username": "nul\x00user", "password": "a-long-password-1", "role": "OFFICER"}
    )
    assert response.status_code == 400 and "username" in response.json()["errors"]
    assert AuditLog.objects.count() == before


def test_a_body_over_the_size_limit_gets_the_json_error_body(borrower_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = borrower_client.post(
        "/api/v1/auth/otp/send", {"phone": "+919812345678", "pad": "x" * 4096}, format="json"
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "request_too_large"


def test_an_unknown_api_path_gets_the_json_error_body(borrower_client):
    response = borrower_client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_signed_token_whose_user_id_is_not_a_uuid_is_401(api_client):
    token = jwt.encode(
        {
            "token_type": "access",
            "exp": datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=5),
            "jti": "x" * 32,
            "user_id": "not-a-uuid",
        },
        settings.SIMPLE_JWT["SIGNING_KEY"],
        algorithm="HS256",
    )
    response = api_client.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401, response.content
    assert response.json()["code"] in ("token_not_valid", "user_not_found")


def test_reading_a_live_setting_for_the_first_time_is_not_a_change(admin_client):
    """constance stores a setting's default the first time anything reads it; that is not an
    ops change and must not appear in the audit trail as one."""
    from constance import config
    from constance.models import Constance

    Constance.objects.filter(key="THROTTLE_READS_PER_USER").delete()
    before = AuditLog.objects.filter(action="setting.changed").count()
    assert config.THROTTLE_READS_PER_USER == "600/minute"
    assert AuditLog.objects.filter(action="setting.changed").count() == before
    config.THROTTLE_READS_PER_USER = "700/minute"  # a real change is audited
    assert AuditLog.objects.filter(action="setting.changed").count() == before + 1
