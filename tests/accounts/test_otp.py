import datetime

import pytest
import time_machine
from constance.test import override_config
from django.utils import timezone

from apps.accounts.models import OtpChallenge, User
from apps.audit.models import AuditLog
from tests.support.users import make_user

pytestmark = pytest.mark.django_db

SEND, VERIFY = "/api/v1/auth/otp/send", "/api/v1/auth/otp/verify"
PHONE = "+919812300001"


@pytest.fixture(autouse=True)
def fixed_code(settings):
    settings.SANDBOX = True
    settings.OTP_TEST_CODE = "135790"


def send(client, phone=PHONE, ip="10.0.0.1"):
    return client.post(SEND, {"phone": phone}, format="json", REMOTE_ADDR=ip)


def verify(client, request_id, otp="135790", phone=PHONE):
    return client.post(VERIFY, {"request_id": request_id, "phone": phone, "otp": otp}, format="json")


def test_send_then_verify_makes_a_borrower_and_returns_tokens(api_client):
    sent = send(api_client, phone="98123 00001")
    assert sent.status_code == 200
    assert sent.json()["expires_in"] == 300
    response = verify(api_client, sent.json()["request_id"])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["user"]["role"] == "BORROWER"
    assert body["user"]["phone"] == PHONE
    assert body["access"] and body["refresh"]
    assert User.objects.get(phone=PHONE).role == "BORROWER"
    assert AuditLog.objects.filter(action="auth.login").count() == 1


def test_the_code_is_stored_only_as_a_keyed_hash(api_client):
    request_id = send(api_client).json()["request_id"]
    challenge = OtpChallenge.objects.get(pk=request_id)
    assert "135790" not in challenge.code_hash
    assert len(challenge.code_hash) == 64


@pytest.mark.parametrize("phone", ["12345", "+14155550100", "+91 22 2345 6789", ""])
def test_not_an_indian_mobile_is_400(api_client, phone):
    response = send(api_client, phone=phone)
    assert response.status_code == 400
    assert "phone" in response.json()["errors"]


def test_wrong_code_is_400_and_five_wrong_codes_lock_the_challenge(api_client):
    request_id = send(api_client).json()["request_id"]
    for _ in range(4):
        response = verify(api_client, request_id, otp="000000")
        assert response.status_code == 400
        assert "otp" in response.json()["errors"]
    assert verify(api_client, request_id, otp="000000").status_code == 429
    locked = verify(api_client, request_id)  # even the right code is refused now
    assert locked.status_code == 429
    assert "Retry-After" in locked
    assert OtpChallenge.objects.get(pk=request_id).locked


def test_an_expired_code_is_refused(api_client):
    request_id = send(api_client).json()["request_id"]
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5, seconds=1)):
        response = verify(api_client, request_id)
    assert response.status_code == 400
    assert "expired" in response.json()["detail"]


def test_a_code_works_once(api_client):
    request_id = send(api_client).json()["request_id"]
    assert verify(api_client, request_id).status_code == 200
    assert verify(api_client, request_id).status_code == 400


def test_resend_cooldown_is_30_seconds(api_client):
    assert send(api_client).status_code == 200
    again = send(api_client)
    assert again.status_code == 429
    assert 1 <= int(again["Retry-After"]) <= 30
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=31)):
        assert send(api_client).status_code == 200


def test_per_phone_limit_per_hour(api_client):
    start = timezone.now().replace(minute=0, second=1)
    for n in range(5):
        with time_machine.travel(start + datetime.timedelta(seconds=31 * n)):
            assert send(api_client, ip=f"10.0.1.{n}").status_code == 200
    with time_machine.travel(start + datetime.timedelta(seconds=31 * 5)):
        response = send(api_client, ip="10.0.1.99")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 30


def test_per_ip_limit_per_hour(api_client):
    start = timezone.now().replace(minute=0, second=1)
    # The hourly limit alone: thirty phones at once from one address is also the fraud rule
    # otp_burst (tests/risk), which would refuse them earlier.
    with time_machine.travel(start), override_config(FRAUD_OTP_PHONES_PER_IP=100):
        for n in range(30):
            assert send(api_client, phone=f"+9198124{n:05d}", ip="10.9.9.9").status_code == 200
        response = send(api_client, phone="+919812499999", ip="10.9.9.9")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_a_frozen_borrower_gets_403(api_client):
    make_user(phone=PHONE, username=PHONE, is_frozen=True)
    request_id = send(api_client).json()["request_id"]
    assert verify(api_client, request_id).status_code == 403


def test_the_code_is_random_without_the_sandbox_test_code(
    api_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OTP_TEST_CODE = ""
    sent_messages = []
    from apps.accounts import services

    class Capture:
        def send(self, *, phone, message):
            sent_messages.append(message)
            return "x"

    monkeypatch.setattr(services, "get_sms_provider", lambda: Capture())
    with django_capture_on_commit_callbacks(execute=True):  # the SMS leaves after the commit
        request_id = send(api_client).json()["request_id"]
    code = sent_messages[0][:6]
    assert code.isdigit()
    assert verify(api_client, request_id, otp=code).status_code == 200


def test_the_sandbox_sms_log_masks_phone_and_code(api_client, caplog):
    caplog.set_level("INFO")
    send(api_client)
    text = caplog.text
    assert "135790" not in text
    assert "9812300001" not in text
