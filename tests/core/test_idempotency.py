import threading

import pytest
from django.db import connection

from tests.core import idempotency_urls
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.urls("tests.core.idempotency_urls")


@pytest.fixture(autouse=True)
def reset():
    idempotency_urls.CALLS.clear()
    idempotency_urls.GATE.update(event=None, inside=None)


def post(client, body, key="k-1"):
    return client.post("/counting", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_same_key_same_body_replays_the_first_response(borrower_client):
    first = post(borrower_client, {"n": 1})
    second = post(borrower_client, {"n": 1})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json() == {"n": 1, "call": 1}
    assert second["Idempotent-Replayed"] == "true"
    assert idempotency_urls.CALLS == [1]


@pytest.mark.django_db
def test_same_key_other_body_is_422(borrower_client):
    post(borrower_client, {"n": 1})
    response = post(borrower_client, {"n": 2})
    assert response.status_code == 422
    assert idempotency_urls.CALLS == [1]


@pytest.mark.django_db
def test_keys_are_scoped_per_user(borrower_client):
    post(borrower_client, {"n": 1})
    other = client_for(make_user())
    assert post(other, {"n": 1}).json() == {"n": 1, "call": 2}


@pytest.mark.django_db
def test_without_a_key_every_call_runs(borrower_client):
    borrower_client.post("/counting", {"n": 1}, format="json")
    borrower_client.post("/counting", {"n": 1}, format="json")
    assert idempotency_urls.CALLS == [1, 1]


@pytest.mark.django_db
def test_a_failed_attempt_releases_the_key(borrower_client):
    borrower_client.raise_request_exception = False
    assert post(borrower_client, {"n": 1, "fail": True}).status_code == 500
    assert post(borrower_client, {"n": 1}).status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_run_once_and_the_other_gets_409():
    """The duplicate is sent only once the first is inside the view, holding the key, and it is
    answered while the first still waits there: 409 "in flight", not a replay, not a second run."""
    user = make_user()
    release, inside = threading.Event(), threading.Event()
    idempotency_urls.GATE.update(event=release, inside=inside)
    results = {}

    def call(name):
        try:
            results[name] = post(client_for(user), {"n": 7}).status_code
        finally:
            connection.close()

    first = threading.Thread(target=call, args=("first",))
    first.start()
    try:
        assert inside.wait(timeout=10), "the first request never reached the view"
        second = post(client_for(user), {"n": 7})
        assert idempotency_urls.CALLS == []  # the first has not run yet: it is still in flight
    finally:
        release.set()
        first.join(timeout=30)
    assert second.status_code == 409
    assert second.json()["code"] == "idempotency_in_flight"
    assert not second.has_header("Idempotent-Replayed")
    assert results == {"first": 201}
    assert idempotency_urls.CALLS == [7]
    replay = post(client_for(user), {"n": 7})
    assert replay.json() == {"n": 7, "call": 1} and replay["Idempotent-Replayed"] == "true"


@pytest.mark.django_db(transaction=True)
def test_eight_threads_with_one_key_execute_once():
    user = make_user()
    barrier = threading.Barrier(8)
    codes = []

    def call():
        try:
            barrier.wait()
            codes.append(post(client_for(user), {"n": 9}, key="burst").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert idempotency_urls.CALLS == [9]
    assert codes.count(201) >= 1
    assert set(codes) <= {201, 409}


def _writes(n) -> int:
    from apps.core.models import JobRun

    return JobRun.objects.filter(name="counting", triggered_by=str(n)).count()


@pytest.mark.django_db
def test_a_request_that_fails_after_writing_leaves_nothing_and_the_retry_runs_once(borrower_client):
    """The write and the stored response commit together: a failure after the write (building the
    response, a dropped connection) rolls the write back, so a retry with the key runs exactly once."""
    borrower_client.raise_request_exception = False
    assert post(borrower_client, {"n": 3, "fail_after_write": True}).status_code == 500
    assert _writes(3) == 0
    # The same key with the same body runs for the first time, then replays.
    borrower_client.raise_request_exception = True
    retry_body = {"n": 3}
    assert post(borrower_client, retry_body, key="k-fail").status_code == 201
    assert post(borrower_client, retry_body, key="k-fail")["Idempotent-Replayed"] == "true"
    assert _writes(3) == 1


@pytest.mark.django_db(transaction=True)
def test_a_key_held_by_a_dead_transaction_is_released_by_the_database():
    """The in-flight marker is a transaction-scoped advisory lock: while the transaction that holds
    it lives, a duplicate gets 409; once its backend dies, PostgreSQL releases it at once (no timer)."""
    import psycopg

    from apps.core.idempotency import lock_ids

    user = make_user()
    dsn = connection.get_connection_params()
    holder = psycopg.connect(**{k: v for k, v in dsn.items() if k != "cursor_factory"}, autocommit=False)
    try:
        holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", lock_ids(user.pk, "k-held"))
        assert post(client_for(user), {"n": 5}, key="k-held").status_code == 409
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [holder.info.backend_pid])
    finally:
        holder.close()
    assert post(client_for(user), {"n": 5}, key="k-held").status_code == 201
    assert idempotency_urls.CALLS == [5]


@pytest.mark.django_db
def test_an_expired_key_runs_again(borrower, borrower_client):
    from django.utils import timezone

    from apps.core.models import IdempotencyRecord

    post(borrower_client, {"n": 1})
    IdempotencyRecord.objects.filter(user=borrower, key="k-1").update(expires_at=timezone.now())
    response = post(borrower_client, {"n": 2})
    assert response.status_code == 201 and idempotency_urls.CALLS == [1, 2]
    assert post(borrower_client, {"n": 2})["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "bad\x00key"])
def test_a_malformed_key_is_400(borrower_client, key):
    response = borrower_client.post("/counting", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert response.json()["errors"] == {"Idempotency-Key": [response.json()["detail"]]}
    assert idempotency_urls.CALLS == []
