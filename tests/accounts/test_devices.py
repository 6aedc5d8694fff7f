import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts.models import Device
from apps.accounts.services import device_trust
from apps.audit.models import AuditLog
from apps.core.errors import Conflict, InvalidInput
from apps.core.roles import Role
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db

PHONE = "+919812300077"


def staff_web(client, role):
    user = make_user(role)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def device_for(user, *, known_days=0, fingerprint="fp-phone-1") -> Device:
    device = Device.objects.create(user=user, fingerprint=fingerprint, last_active_at=timezone.now())
    # first_seen_at is auto_now_add: age it the way the calendar would.
    Device.objects.filter(pk=device.pk).update(first_seen_at=timezone.now() - datetime.timedelta(days=known_days))
    return device


def mark_trusted(client, device, reason="called the borrower back on the registered number"):
    data = {"action": "mark_trusted", "_selected_action": [str(device.pk)], "apply": "1", "reason": reason}
    return client.post("/admin/accounts/device/", data)


def test_admin_marks_a_device_trusted_with_a_reason_and_it_is_audited(client, borrower):
    admin = staff_web(client, Role.ADMIN)
    device = device_for(borrower)
    assert b"Mark trusted" in client.get("/admin/accounts/device/").content
    assert mark_trusted(client, device, reason="").status_code == 200  # asks for the reason first
    device.refresh_from_db()
    assert device.is_trusted is False
    mark_trusted(client, device)
    device.refresh_from_db()
    assert device.is_trusted is True
    log = AuditLog.objects.get(action="device.trusted")
    assert (log.object_id, log.actor_id, log.before, log.after) == (
        str(device.pk),
        admin.pk,
        {"is_trusted": False},
        {"is_trusted": True},
    )
    assert log.reason == "called the borrower back on the registered number"


def test_an_officer_cannot_mark_a_device_trusted(client, borrower):
    staff_web(client, Role.OFFICER)
    device = device_for(borrower)
    assert b"Mark trusted" not in client.get("/admin/accounts/device/").content
    mark_trusted(client, device)
    device.refresh_from_db()
    assert device.is_trusted is False
    assert not AuditLog.objects.filter(action="device.trusted").exists()


def test_trusting_needs_a_reason_and_happens_once(admin_user, borrower):
    device = device_for(borrower)
    with pytest.raises(InvalidInput):
        device_trust(device_id=device.pk, actor=admin_user, reason=" ")
    device_trust(device_id=device.pk, actor=admin_user, reason="verified in branch")
    with pytest.raises(Conflict):
        device_trust(device_id=device.pk, actor=admin_user, reason="again")


@pytest.fixture
def otp_login(settings, api_client):
    settings.SANDBOX = True
    settings.OTP_TEST_CODE = "135790"

    def login(phone=PHONE, **extra):
        sent = api_client.post("/api/v1/auth/otp/send", {"phone": phone}, format="json", REMOTE_ADDR="10.0.0.7")
        assert sent.status_code == 200, sent.content
        body = {"request_id": sent.json()["request_id"], "phone": phone, "otp": "135790", **extra}
        response = api_client.post("/api/v1/auth/otp/verify", body, format="json")
        assert response.status_code == 200, response.content
        return response

    return login


def test_an_otp_login_on_a_device_known_a_week_makes_it_trusted(otp_login):
    borrower = make_user(phone=PHONE)
    old, fresh = device_for(borrower, known_days=7, fingerprint="old"), device_for(borrower, fingerprint="fresh")
    otp_login(device_fingerprint="fresh")
    otp_login(phone="+919812300078")  # someone else, no fingerprint: nothing to trust
    fresh.refresh_from_db()
    assert fresh.is_trusted is False  # known for minutes: a login alone earns nothing
    from django.core.cache import cache

    cache.clear()  # the resend cooldown is not what this test is about
    otp_login(device_fingerprint="old")
    old.refresh_from_db()
    assert old.is_trusted is True
    log = AuditLog.objects.get(action="device.trusted")
    assert (log.object_id, log.actor_id) == (str(old.pk), borrower.pk)
    assert log.reason.startswith("OTP login on a device known since")


def test_the_trust_delay_is_a_live_setting(otp_login):
    from constance import config

    borrower = make_user(phone=PHONE)
    device = device_for(borrower, known_days=2)
    config.DEVICE_TRUST_AFTER_DAYS = 2
    otp_login(device_fingerprint=device.fingerprint)
    device.refresh_from_db()
    assert device.is_trusted is True
    # The app sees it too.
    assert client_for(borrower).put("/api/v1/users/me/device", {"fingerprint": device.fingerprint}).json()["is_trusted"]
