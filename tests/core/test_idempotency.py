import threading
import time

import pytest
from django.db import connection

from tests.conftest import client_for, make_user
from tests.core import idempotency_urls

pytestmark = pytest.mark.urls("tests.core.idempotency_urls")


@pytest.fixture(autouse=True)
def reset():
    idempotency_urls.CALLS.clear()
    idempotency_urls.GATE["event"] = None


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
    user = make_user()
    gate = threading.Event()
    idempotency_urls.GATE["event"] = gate
    results = {}

    def call(name):
        try:
            results[name] = post(client_for(user), {"n": 7}).status_code
        finally:
            connection.close()

    first = threading.Thread(target=call, args=("first",))
    first.start()
    time.sleep(0.3)  # let the first claim the key and wait at the gate
    call("second")
    gate.set()
    first.join()
    assert results == {"first": 201, "second": 409}
    assert idempotency_urls.CALLS == [7]
    idempotency_urls.GATE["event"] = None
    assert post(client_for(user), {"n": 7}).json() == {"n": 7, "call": 1}


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


@pytest.mark.django_db
def test_a_claim_left_by_a_crashed_worker_lapses(borrower, borrower_client):
    import datetime

    from django.utils import timezone

    from apps.core.idempotency import IDEMPOTENCY_TTL, STALE_CLAIM
    from apps.core.models import IdempotencyRecord

    claim = IdempotencyRecord.objects.create(
        user=borrower, key="k-1", fingerprint="x", expires_at=timezone.now() + IDEMPOTENCY_TTL
    )
    assert post(borrower_client, {"n": 1}).status_code in (409, 422)  # still fresh: someone may be running it
    IdempotencyRecord.objects.filter(pk=claim.pk).update(
        created_at=timezone.now() - STALE_CLAIM - datetime.timedelta(seconds=1)
    )
    response = post(borrower_client, {"n": 1})
    assert response.status_code == 201 and idempotency_urls.CALLS == [1]
