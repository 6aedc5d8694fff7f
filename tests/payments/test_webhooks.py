"""The rail's webhooks: nothing is stored without a good, fresh signature; a valid event is
stored once however often it comes, answered at once, and applied by a worker, retried with
backoff, dead-lettered, and replayed by ops."""

import json
import time

import pytest
from django.db import transaction
from django.test import Client

from apps.audit.models import AuditLog
from apps.payments import webhooks
from apps.payments.models import WebhookEvent
from apps.payments.webhooks import MAX_ATTEMPTS, webhook_events_apply
from tests.support.concurrency import race
from tests.support.rail import post_webhook, rail_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def applied(monkeypatch):
    """An applier for the test type "test.paid", recording what it applied."""
    seen = []

    def apply(event):
        seen.append(event.event_id)
        return {"ok": True}

    monkeypatch.setitem(webhooks.APPLIERS, "test.paid", apply)
    return seen


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "t=abc,v1=00",
        "v1=" + "0" * 64,
        "t=%(now)s,v1=" + "0" * 64,
        "t=%(stale)s,v1=%(stale_digest)s",
        "t=%(future)s,v1=%(future_digest)s",
        "t=%(now)s,v1=%(other_secret)s",
    ],
    ids=["missing", "malformed", "no-timestamp", "wrong-digest", "stale", "future", "other-secret"],
)
def test_a_bad_or_stale_signature_is_401_and_stores_nothing(client, signature):
    from django.conf import settings

    from apps.core.signatures import sign

    body = rail_event("test.paid", {"x": 1})
    raw = json.dumps(body).encode()
    now = int(time.time())
    values = {
        "now": now,
        "stale": now - 301,
        "stale_digest": sign(settings.PAYMENT_WEBHOOK_SECRET, raw, t=now - 301).split("v1=")[1],
        "future": now + 301,
        "future_digest": sign(settings.PAYMENT_WEBHOOK_SECRET, raw, t=now + 301).split("v1=")[1],
        "other_secret": sign("not-the-secret", raw, t=now).split("v1=")[1],
    }
    response = post_webhook(client, raw, signature=signature % values)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "signature_invalid"
    assert not WebhookEvent.objects.exists()


def test_a_signed_event_is_stored_once_and_answered_at_once(client, applied):
    body = rail_event("test.paid", {"amount": "100.00"})
    first = post_webhook(client, body)
    assert first.status_code == 200 and first.json() == {"received": True, "duplicate": False, "status": "RECEIVED"}
    assert applied == []  # answered before anything is applied
    again = post_webhook(client, body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    event = WebhookEvent.objects.get()
    assert json.loads(event.raw_body) == body and event.signature.startswith("t=")
    assert webhook_events_apply() == 1
    assert applied == [body["id"]]
    event.refresh_from_db()
    assert (event.status, event.result) == ("APPLIED", {"ok": True})
    post_webhook(client, body)  # a redelivery after it was applied
    assert webhook_events_apply() == 0 and applied == [body["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[1, 2]", "body"),
        (json.dumps({"type": "t", "created": 1, "data": {}}).encode(), "id"),
        (json.dumps({"id": "e1", "created": 1, "data": {}}).encode(), "type"),
        (json.dumps({"id": "e1", "type": "t", "created": 1, "data": []}).encode(), "data"),
        (json.dumps({"id": "e1", "type": "t", "created": "yesterday", "data": {}}).encode(), "created"),
        (json.dumps({"id": "e1", "type": "t", "created": 10**20, "data": {}}).encode(), "created"),
    ],
)
def test_a_signed_but_malformed_event_is_400_naming_the_field_and_stores_nothing(client, body, field):
    response = post_webhook(client, body)
    assert response.status_code == 400, response.content
    assert field in json.dumps(response.json())
    assert not WebhookEvent.objects.exists()


def test_an_unknown_type_is_kept_and_ignored(client):
    post_webhook(client, rail_event("rail.something_new", {}))
    assert webhook_events_apply() == 1
    assert WebhookEvent.objects.get().status == "IGNORED"


def test_a_failing_apply_retries_with_backoff_then_is_a_dead_letter_ops_replay(client, monkeypatch, admin_web):
    calls = []

    def broken(event):
        calls.append(event.pk)
        raise RuntimeError("intent not found yet")

    monkeypatch.setitem(webhooks.APPLIERS, "test.broken", broken)
    post_webhook(client, rail_event("test.broken", {}))
    event = WebhookEvent.objects.get()
    webhook_events_apply()
    event.refresh_from_db()
    assert (event.status, event.attempts) == ("RETRYING", 1) and "intent not found yet" in event.last_error
    assert webhook_events_apply() == 0  # not due yet
    for _ in range(MAX_ATTEMPTS - 1):
        WebhookEvent.objects.filter(pk=event.pk).update(next_attempt_at=event.received_at)
        webhook_events_apply()
    event.refresh_from_db()
    assert (event.status, event.attempts, len(calls)) == ("DEAD", MAX_ATTEMPTS, MAX_ATTEMPTS)

    listing = admin_web.get("/admin/payments/webhookevent/?status__exact=DEAD")
    assert listing.status_code == 200 and event.event_id in listing.content.decode()
    page = admin_web.get(f"/admin/payments/webhookevent/{event.pk}/change/").content.decode()
    assert "verified, signed at" in page and "test.broken" in page
    monkeypatch.setitem(webhooks.APPLIERS, "test.broken", lambda e: {"fixed": True})
    assert (
        admin_web.post(
            "/admin/payments/webhookevent/", {"action": "replay", "_selected_action": [event.pk]}
        ).status_code
        == 302
    )
    assert AuditLog.objects.filter(action="payments.webhook_replayed", object_id=str(event.pk)).exists()
    assert webhook_events_apply() == 1
    event.refresh_from_db()
    assert event.status == "APPLIED"


@pytest.mark.django_db(transaction=True)
def test_the_same_event_raced_twenty_times_is_stored_once_and_applied_once(applied):
    body = json.dumps(rail_event("test.paid", {"n": 1})).encode()
    answers = race(20, lambda i: post_webhook(Client(), body).status_code)
    assert answers == [200] * 20
    assert WebhookEvent.objects.count() == 1
    race(4, lambda i: webhook_events_apply())
    assert len(applied) == 1


@pytest.mark.django_db(transaction=True)
def test_workers_share_the_queue_and_apply_each_event_once(applied):
    client = Client()
    for n in range(40):
        post_webhook(client, rail_event("test.paid", {"n": n}))
    counts = race(4, lambda i: webhook_events_apply())
    assert sum(counts) == 40 and sorted(applied) == sorted(WebhookEvent.objects.values_list("event_id", flat=True))
    assert len(applied) == len(set(applied)) == 40
    with transaction.atomic():
        assert not WebhookEvent.objects.exclude(status="APPLIED").exists()
