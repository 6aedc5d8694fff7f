"""Staff second factor: TOTP (django-otp) with single-use recovery codes, in the admin and the API."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from apps.accounts.services import second_factor_enrolment_confirm, second_factor_enrolment_start
from apps.audit.models import AuditLog
from tests.support.users import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
TOKEN_URL = "/api/v1/auth/token"
ENROL_URL = "/admin/second-factor/"


def staff(role="OFFICER"):
    user = make_user(role, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    return user


def code_for(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def next_step():
    """A code is good once: the next login needs the next 30-second step (and passes the
    throttle a wrong code set)."""
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=True)


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = second_factor_enrolment_start(user=user, actor=user)
    codes = second_factor_enrolment_confirm(user=user, code=code_for(device), actor=user)
    device.refresh_from_db()
    return device, codes


def api_login(username, password=PASSWORD, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password, **extra}, format="json")


def test_admin_login_asks_an_enrolled_user_for_the_code(client):
    officer = staff()
    device, _ = enrolled(officer)
    with next_step():
        missing = client.post("/admin/login/", {"username": officer.username, "password": PASSWORD})
        assert missing.status_code == 200 and "_auth_user_id" not in client.session
        assert "authentication code" in missing.content.decode().lower()
        wrong = client.post("/admin/login/", {"username": officer.username, "password": PASSWORD, "otp": "000000"})
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    with next_step(), next_step():
        ok = client.post(
            "/admin/login/",
            {"username": officer.username, "password": PASSWORD, "otp": code_for(device), "next": "/admin/"},
        )
        assert ok.status_code == 302 and ok["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_a_session_without_the_second_factor_does_not_open_the_admin(client):
    officer = staff()
    enrolled(officer)
    client.force_login(officer)  # a password-only session, e.g. from before the enrolment
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_api_login_takes_the_code_in_otp(settings):
    settings.STAFF_OTP_REQUIRED = False  # enrolled users present a code all the same
    officer = staff()
    device, _ = enrolled(officer)
    with next_step():
        missing = api_login(officer.username)
        assert missing.status_code == 401 and missing.json()["code"] == "otp_required"
        wrong = api_login(officer.username, otp="000000")
        assert wrong.status_code == 401 and wrong.json()["code"] == "otp_invalid"
        assert api_login(officer.username, password="wrong", otp=code_for(device)).status_code == 400
    with next_step(), next_step():
        ok = api_login(officer.username, otp=code_for(device))
        assert ok.status_code == 200 and {"access", "refresh"} <= set(ok.json())
    entry = AuditLog.objects.filter(action="auth.login", object_id=str(officer.pk)).latest("at")
    assert entry.after == {"method": "password", "second_factor": "totp"}
    assert AuditLog.objects.filter(action="auth.login_failed", object_id=officer.username).count() == 3


def test_the_same_code_is_not_good_twice():
    officer = staff()
    device, _ = enrolled(officer)
    with next_step():
        code = code_for(device)
        assert api_login(officer.username, otp=code).status_code == 200
        assert api_login(officer.username, otp=code).json()["code"] in {"otp_invalid", "otp_throttled"}


def test_a_recovery_code_works_once_in_place_of_a_code(client):
    officer = staff()
    _, codes = enrolled(officer)
    assert len(codes) == 10 and len(set(codes)) == 10
    with next_step():
        assert api_login(officer.username, otp=codes[0]).status_code == 200
    with next_step(), next_step():
        again = api_login(officer.username, otp=codes[0])
        assert again.status_code == 401 and again.json()["code"] == "otp_invalid"
    with next_step(), next_step(), next_step():
        ok = client.post("/admin/login/", {"username": officer.username, "password": PASSWORD, "otp": codes[1]})
        assert ok.status_code == 302
        assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 8
    assert AuditLog.objects.filter(action="otp.recovery_code_used", object_id=str(officer.pk)).count() == 2


def test_enrolment_in_the_admin_when_required(client, settings):
    settings.STAFF_OTP_REQUIRED = True
    officer = staff()
    response = client.post("/admin/login/", {"username": officer.username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    # Required and not enrolled: every admin page leads to the enrolment first.
    for url in ("/admin/", "/admin/loans/loan/"):
        redirect = client.get(url)
        assert redirect.status_code == 302 and redirect["Location"] == ENROL_URL, url

    page = client.get(ENROL_URL).content.decode()
    assert "otpauth://totp/" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert client.get(ENROL_URL).status_code == 200
    assert TOTPDevice.objects.filter(user=officer).count() == 1  # a reload shows the same secret

    wrong = client.post(ENROL_URL, {"code": "000000"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed
    with next_step():
        done = client.post(ENROL_URL, {"code": code_for(device)}).content.decode()
    codes = re.findall(r'<code class="recovery-code">([a-z0-9]+)</code>', done)
    assert len(codes) == 10
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert StaticDevice.objects.get(user=officer).token_set.count() == 10
    assert AuditLog.objects.filter(action="otp.enrolled", object_id=str(officer.pk)).exists()

    assert client.get("/admin/").status_code == 200  # the enrolment verified this session
    later = client.get(ENROL_URL).content.decode()
    assert codes[0] not in later and "otpauth://" not in later  # shown once, and the secret too
    assert client.post("/admin/logout/").status_code == 200


def test_required_but_not_enrolled_api_login_is_403(settings):
    settings.STAFF_OTP_REQUIRED = True
    officer = staff()
    response = api_login(officer.username)
    assert response.status_code == 403 and response.json()["code"] == "otp_enrolment_required"
    assert api_login(officer.username, password="wrong").status_code == 400


def test_the_admin_logout_is_reachable_before_enrolment(client, settings):
    settings.STAFF_OTP_REQUIRED = True
    client.force_login(staff())
    client.post("/admin/logout/")
    assert "_auth_user_id" not in client.session


def test_an_admin_resets_another_users_second_factor_audited(client):
    officer = staff()
    enrolled(officer)
    admin = staff("ADMIN")
    admin_device, _ = enrolled(admin)
    with next_step():
        assert (
            client.post(
                "/admin/login/", {"username": admin.username, "password": PASSWORD, "otp": code_for(admin_device)}
            ).status_code
            == 302
        )
        page = client.get(f"/admin/accounts/user/{officer.pk}/change/").content.decode()
        assert "Reset second factor" in page
        url = f"/admin/accounts/user/{officer.pk}/transition/reset_second_factor/"
        assert client.post(url, {"reason": "lost phone, identity checked on a call"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    entry = AuditLog.objects.get(action="otp.reset")
    assert entry.object_id == str(officer.pk) and entry.actor == admin and entry.reason.startswith("lost phone")
    assert api_login(officer.username).status_code == 200  # not required here, and no longer enrolled


def test_second_factor_reset_is_for_an_admin_and_not_of_oneself():
    from apps.accounts.services import second_factor_reset
    from apps.core.errors import Conflict, Forbidden

    officer, admin = staff(), staff("ADMIN")
    enrolled(officer)
    with pytest.raises(Forbidden):
        second_factor_reset(user=admin, actor=officer, reason="x")
    with pytest.raises(Conflict):
        second_factor_reset(user=admin, actor=admin, reason="x")
    with pytest.raises(Forbidden):
        second_factor_reset(user=officer, actor=officer, reason="x")


def test_the_second_factor_is_documented_in_the_schema(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    text = out.read_text()
    for word in ("otp_required", "otp_invalid", "otp_enrolment_required", "login_locked"):
        assert word in text, word


def test_wrong_codes_after_the_right_password_count_toward_the_lockout(settings):
    settings.AXES_FAILURE_LIMIT = 3
    officer = staff()
    device, _ = enrolled(officer)
    statuses = []
    with time_machine.travel(timezone.now(), tick=True) as clock:
        for _ in range(3):
            clock.shift(61)  # each guess past django-otp's back-off, so each one is judged
            statuses.append(api_login(officer.username, otp="000000").json()["code"])
        assert statuses == ["otp_invalid", "otp_invalid", "login_locked"]
        clock.shift(61)
        locked = api_login(officer.username, otp=code_for(device))
        assert locked.status_code == 429 and locked.json()["code"] == "login_locked"
