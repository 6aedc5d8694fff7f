"""Refresh-token rotation is atomic, and the reuse of a rotated token revokes its whole family.

A family is every refresh token descended from one login (OAuth 2.1's refresh-token reuse
detection): presenting one that was already rotated means two parties hold the chain, so
none of it may live on.
"""

import datetime
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.tokens import tokens_for_user
from apps.audit.models import AuditLog
from tests.support.users import make_user

URL = "/api/v1/auth/token/refresh"


def refresh(token: str):
    return APIClient().post(URL, {"refresh": token}, format="json")


def later():
    """Past the grace in which a duplicate of the same refresh counts as a race, not a reuse."""
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=True)


def refresh_in_parallel(token: str, threads: int = 8) -> list:
    start = threading.Barrier(threads)
    responses = [None] * threads

    def worker(i):
        try:
            client = APIClient()
            start.wait(timeout=10)
            responses[i] = client.post(URL, {"refresh": token}, format="json")
        finally:
            connection.close()  # each thread had its own connection

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=30)
    return responses


@pytest.mark.django_db(transaction=True)
def test_eight_parallel_refreshes_of_one_token_make_exactly_one_pair():
    user = make_user()
    original = tokens_for_user(user)["refresh"]
    other_login = tokens_for_user(user)["refresh"]

    responses = refresh_in_parallel(original)

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [401] * 7, statuses
    [winner] = [r.json() for r in responses if r.status_code == 200]
    # The losers raced the winner: nothing was stolen, so the winner's chain lives on.
    next_pair = refresh(winner["refresh"])
    assert next_pair.status_code == 200

    with later():
        reuse = refresh(original)
        assert reuse.status_code == 401
        # A later reuse of the original token: the whole family is dead, the winner's line too.
        assert refresh(next_pair.json()["refresh"]).status_code == 401
        # Another login of the same user is another family.
        assert refresh(other_login).status_code == 200
    assert AuditLog.objects.filter(action="auth.refresh_reused", object_id=str(user.pk)).count() == 1


@pytest.mark.django_db
def test_reuse_of_a_rotated_refresh_token_revokes_its_family_and_is_audited():
    user = make_user()
    first = tokens_for_user(user)["refresh"]
    second = refresh(first).json()["refresh"]
    third = refresh(second).json()["refresh"]

    with later():
        assert refresh(second).status_code == 401  # rotated long ago: a replay
        assert refresh(third).status_code == 401  # the live end of the chain dies with it
        assert refresh(first).status_code == 401
    entry = AuditLog.objects.get(action="auth.refresh_reused")
    assert entry.object_type == "accounts.user" and entry.object_id == str(user.pk)


@pytest.mark.django_db
def test_a_duplicate_refresh_within_the_grace_is_refused_without_killing_the_family():
    user = make_user()
    first = tokens_for_user(user)["refresh"]
    second = refresh(first)
    duplicate = refresh(first)  # e.g. a client retrying after a lost response
    assert (second.status_code, duplicate.status_code) == (200, 401)
    assert refresh(second.json()["refresh"]).status_code == 200
    assert not AuditLog.objects.filter(action="auth.refresh_reused").exists()


@pytest.mark.django_db
def test_a_refresh_token_of_a_frozen_user_is_refused_without_a_reuse_alarm(admin_user):
    from apps.accounts.services import user_freeze

    user = make_user()
    token = tokens_for_user(user)["refresh"]
    user_freeze(user_id=user.pk, actor=admin_user, reason="fraud check")
    with later():
        assert refresh(token).status_code == 401
    assert not AuditLog.objects.filter(action="auth.refresh_reused").exists()


@pytest.mark.django_db
def test_garbage_is_a_401_not_a_500():
    assert refresh("not-a-token").status_code == 401
    assert APIClient().post(URL, {}, format="json").status_code == 400


@pytest.mark.django_db
def test_logout_ends_the_whole_login_without_a_reuse_alarm():
    from tests.support.users import client_for

    user = make_user()
    first = tokens_for_user(user)["refresh"]
    second = refresh(first).json()["refresh"]
    assert client_for(user).post("/api/v1/auth/logout", {"refresh": second}, format="json").status_code == 204
    with later():
        assert refresh(second).status_code == 401
        assert refresh(first).status_code == 401
    assert not AuditLog.objects.filter(action="auth.refresh_reused").exists()
    assert AuditLog.objects.filter(action="auth.logout", object_id=str(user.pk)).count() == 1
