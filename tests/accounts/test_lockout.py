"""Staff password logins lock after repeated failures, per username and per IP (django-axes)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from apps.audit.models import AuditLog
from tests.support.users import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def staff(role="OFFICER"):
    user = make_user(role, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    return user


def api_login(username, password, ip="203.0.113.7", **extra):
    return APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip, **extra
    )


def test_wrong_passwords_lock_the_username_and_the_right_one_then_gets_429():
    officer = staff()
    statuses = [api_login(officer.username, f"wrong-{n}").status_code for n in range(25)]
    assert statuses[:4] == [400] * 4 and set(statuses[4:]) == {429}

    response = api_login(officer.username, PASSWORD)
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "login_locked" and "unlock" in body["detail"]
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    # From another address the username is locked all the same.
    assert api_login(officer.username, PASSWORD, ip="198.51.100.1").status_code == 429


def test_failures_from_one_ip_lock_that_ip_for_every_username():
    officer = staff()
    for n in range(5):
        api_login(f"nobody-{n}", "guess")
    assert api_login(officer.username, PASSWORD).status_code == 429
    assert api_login(officer.username, PASSWORD, ip="198.51.100.1").status_code == 200


def test_a_success_resets_the_count_and_the_lock_lifts_after_the_cool_off():
    officer = staff()
    for _ in range(2):
        for n in range(4):
            assert api_login(officer.username, f"wrong-{n}").status_code == 400
        assert api_login(officer.username, PASSWORD).status_code == 200
    for n in range(5):
        api_login(officer.username, f"wrong-{n}")
    assert api_login(officer.username, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16), tick=False):
        assert api_login(officer.username, PASSWORD).status_code == 200


def test_a_lockout_is_audited_once_and_every_failure_still_is():
    officer = staff()
    for n in range(8):
        api_login(officer.username, f"wrong-{n}")
    locked = AuditLog.objects.filter(action="auth.locked_out")
    assert locked.count() == 1
    assert locked.get().object_id == officer.username and locked.get().ip == "203.0.113.7"
    assert AuditLog.objects.filter(action="auth.login_failed", object_id=officer.username).count() == 8


def test_the_client_ip_is_the_projects_own_not_a_forged_header(settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXY_COUNT = 0
    officer = staff()
    for n in range(5):  # a forged X-Forwarded-For per try does not make five addresses
        api_login(f"nobody-{n}", "guess", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    assert api_login(officer.username, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.200").status_code == 429

    settings.TRUSTED_PROXY_COUNT = 1
    api_login("someone", "guess", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44")
    assert AccessAttempt.objects.get(username="someone").ip_address == "192.0.2.44"


def test_the_admin_login_locks_with_a_clear_page(client):
    officer = staff()
    for n in range(4):
        page = client.post("/admin/login/", {"username": officer.username, "password": f"wrong-{n}"})
        assert page.status_code == 200
    locked = client.post("/admin/login/", {"username": officer.username, "password": "wrong-again"})
    assert locked.status_code == 429 and "Retry-After" in locked
    assert "Too many failed logins" in locked.content.decode()

    again = client.post("/admin/login/", {"username": officer.username, "password": PASSWORD, "next": "/admin/"})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditLog.objects.filter(action="auth.locked_out", object_id=officer.username).count() == 1


def test_an_admin_unlocks_a_user_from_the_user_page_audited(client):
    officer = staff()
    for n in range(5):
        api_login(officer.username, f"wrong-{n}")
    admin = staff("ADMIN")
    client.force_login(admin)

    page = client.get(f"/admin/accounts/user/{officer.pk}/change/").content.decode()
    assert "Unlock login" in page and "locked" in page
    response = client.post(f"/admin/accounts/user/{officer.pk}/transition/unlock/")
    assert response.status_code == 302
    assert api_login(officer.username, PASSWORD).status_code == 200
    entry = AuditLog.objects.get(action="auth.unlocked")
    assert entry.object_id == str(officer.pk) and entry.actor == admin


def test_the_unlock_action_on_the_user_list(client):
    officer = staff()
    for n in range(5):
        api_login(officer.username, f"wrong-{n}")
    client.force_login(staff("ADMIN"))
    client.post("/admin/accounts/user/", {"action": "unlock", "_selected_action": [officer.pk]})
    assert api_login(officer.username, PASSWORD).status_code == 200


def test_only_an_admin_sees_locked_attempts_and_unlocks(client):
    officer = staff()
    for n in range(5):
        api_login(officer.username, f"wrong-{n}")
    client.force_login(staff("OFFICER"))
    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert client.post(f"/admin/accounts/user/{officer.pk}/transition/unlock/").status_code == 403
    assert api_login(officer.username, PASSWORD).status_code == 429

    client.force_login(staff("ADMIN"))
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and officer.username in listing.content.decode()


def test_user_unlock_service_refuses_a_non_admin():
    from apps.accounts.services import user_unlock
    from apps.core.errors import Forbidden

    officer = staff()
    with pytest.raises(Forbidden):
        user_unlock(user=officer, actor=staff("OFFICER"))
