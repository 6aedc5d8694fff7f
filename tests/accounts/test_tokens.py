import pytest

from apps.accounts.tokens import tokens_for_user
from apps.core.roles import Role
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db


def test_refresh_rotates_and_the_old_refresh_is_dead(api_client, borrower):
    old = tokens_for_user(borrower)["refresh"]
    first = api_client.post("/api/v1/auth/token/refresh", {"refresh": old}, format="json")
    assert first.status_code == 200
    assert first.json()["refresh"] != old
    again = api_client.post("/api/v1/auth/token/refresh", {"refresh": old}, format="json")
    assert again.status_code == 401
    rotated = api_client.post("/api/v1/auth/token/refresh", {"refresh": first.json()["refresh"]}, format="json")
    assert rotated.status_code == 200


def test_staff_login_with_password_and_borrowers_cannot(api_client):
    make_user(Role.OFFICER, username="ops1", password="a-long-test-password")
    ok = api_client.post("/api/v1/auth/token", {"username": "ops1", "password": "a-long-test-password"}, format="json")
    assert ok.status_code == 200
    bad = api_client.post("/api/v1/auth/token", {"username": "ops1", "password": "wrong"}, format="json")
    assert bad.status_code == 400
    borrower = make_user(password="a-long-test-password")
    response = api_client.post(
        "/api/v1/auth/token", {"username": borrower.username, "password": "a-long-test-password"}, format="json"
    )
    assert response.status_code == 400


def test_me_and_logout_revokes_the_refresh(borrower):
    tokens = tokens_for_user(borrower)
    client = client_for(borrower)
    assert client.get("/api/v1/auth/me").json()["id"] == str(borrower.pk)
    assert client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}, format="json").status_code == 204
    response = client.post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 401


def test_freezing_kills_a_live_access_token_and_the_refresh(admin_client, borrower):
    tokens = tokens_for_user(borrower)
    client = client_for(borrower)
    assert client.get("/api/v1/auth/me").status_code == 200
    response = admin_client.post(f"/api/v1/admin/users/{borrower.pk}/freeze", {"reason": "fraud check"}, format="json")
    assert response.status_code == 200
    assert response.json()["is_frozen"] is True
    assert client.get("/api/v1/auth/me").status_code == 401
    assert client.post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]}, format="json").status_code == 401
    assert admin_client.post(f"/api/v1/admin/users/{borrower.pk}/unfreeze").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 401  # old tokens stay dead
    borrower.refresh_from_db()
    assert client_for(borrower).get("/api/v1/auth/me").status_code == 200


def test_device_registration_is_idempotent_and_flags_a_new_device(borrower_client):
    body = {"fingerprint": "fp-123", "platform": "android", "app_version": "1.2.0"}
    first = borrower_client.put("/api/v1/users/me/device", body, format="json").json()
    second = borrower_client.put("/api/v1/users/me/device", body, format="json").json()
    assert first["is_new"] is True and second["is_new"] is False
    assert first["id"] == second["id"]
    assert second["last_active_at"] >= first["last_active_at"]
    assert borrower_client.put("/api/v1/users/me/device", {"fingerprint": ""}, format="json").status_code == 400


def test_admin_creates_staff_with_a_group_and_validated_password(admin_client):
    response = admin_client.post(
        "/api/v1/admin/users", {"username": "ops2", "password": "Str0ng-enough-pass", "role": "OFFICER"}, format="json"
    )
    assert response.status_code == 201, response.content
    from apps.accounts.models import User

    user = User.objects.get(username="ops2")
    assert user.is_staff and user.groups.filter(name="OFFICER").exists()
    weak = admin_client.post(
        "/api/v1/admin/users", {"username": "ops3", "password": "123", "role": "ADMIN"}, format="json"
    )
    assert weak.status_code == 400
    assert "password" in weak.json()["errors"]
    dup = admin_client.post(
        "/api/v1/admin/users", {"username": "ops2", "password": "Str0ng-enough-pass", "role": "OFFICER"}, format="json"
    )
    assert dup.status_code == 409


def test_createsuperuser_noinput_makes_an_admin(monkeypatch):
    from django.core.management import call_command

    from apps.accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "root-admin")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Str0ng-enough-pass")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "root@example.com")
    call_command("createsuperuser", "--noinput")
    assert User.objects.get(username="root-admin").role == Role.ADMIN
