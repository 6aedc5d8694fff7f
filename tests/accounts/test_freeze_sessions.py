"""A freeze ends every session and refuses every login: in the admin as in the API."""

import pytest
from django.contrib.auth.models import Group
from django.http import HttpRequest

from apps.accounts.services import user_freeze, user_unfreeze
from tests.support.users import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
# client.login(request=HttpRequest(), ...): django-axes counts logins per request, even the test client's.


def staff(role="OFFICER"):
    user = make_user(role, password=PASSWORD)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_freezing_ends_an_open_admin_session_for_good(client, admin_user):
    officer = staff()
    assert client.login(request=HttpRequest(), username=officer.username, password=PASSWORD)
    assert client.get("/admin/").status_code == 200

    user_freeze(user_id=officer.pk, actor=admin_user, reason="left the company")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")

    user_unfreeze(user_id=officer.pk, actor=admin_user)
    assert client.get("/admin/").status_code == 302  # unfreezing does not bring the old session back


def test_a_frozen_user_cannot_log_into_the_admin(client, admin_user):
    officer = staff()
    user_freeze(user_id=officer.pk, actor=admin_user, reason="fraud check")

    response = client.post("/admin/login/", {"username": officer.username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200  # the login form again, with its error
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert not client.login(request=HttpRequest(), username=officer.username, password=PASSWORD)


def test_a_frozen_user_gets_no_api_tokens_and_an_unfrozen_one_does(api_client, admin_user):
    officer = staff()
    user_freeze(user_id=officer.pk, actor=admin_user, reason="fraud check")
    body = {"username": officer.username, "password": PASSWORD}
    response = api_client.post("/api/v1/auth/token", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "user_frozen"

    user_unfreeze(user_id=officer.pk, actor=admin_user)
    assert api_client.post("/api/v1/auth/token", body, format="json").status_code == 200
