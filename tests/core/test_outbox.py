"""The transactional outbox: an event exists exactly when its change committed, reaches each
handler once however often it is dispatched, in order per aggregate, and survives a dispatcher
whose connection dies mid-batch."""

import threading
import time

import pytest
from django.db import InterfaceError, OperationalError, connection, transaction

from apps.core import outbox
from apps.core.models import Event, HandledEvent
from apps.core.outbox import MAX_ATTEMPTS, event_emit, events_dispatch, events_emit_sql
from tests.support.concurrency import race

TOPIC = "test.thing_happened"


@pytest.fixture
def handled(monkeypatch):
    """A handler for TOPIC that records what it saw (in the order it saw it)."""
    seen = []
    monkeypatch.setitem(outbox.HANDLERS, TOPIC, [])
    outbox.event_handler(TOPIC)(_recorder(seen))
    return seen


def _recorder(seen):
    def record_it(event):
        seen.append((event.aggregate_id, event.payload["n"]))

    record_it.__qualname__ = "record_it"
    return record_it


def emit(aggregate="a1", n=1):
    with transaction.atomic():
        return event_emit(TOPIC, aggregate=("test.thing", aggregate), payload={"n": n})


@pytest.mark.django_db(transaction=True)
def test_an_event_commits_or_rolls_back_with_its_change(handled):
    with pytest.raises(RuntimeError, match="outside a transaction"):
        event_emit(TOPIC, aggregate=("test.thing", "x"), payload={"n": 0})
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        event_emit(TOPIC, aggregate=("test.thing", "x"), payload={"n": 1})
        1 / 0  # noqa: B018
    assert not Event.objects.exists()
    emit("x", 2)
    assert events_dispatch() == 1
    assert handled == [("x", 2)]
    assert Event.objects.get().status == Event.Status.DISPATCHED


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_event_is_not_handled_twice(handled):
    event = emit()
    assert events_dispatch() == 1
    # A redelivery: the row set back to PENDING as if the batch's commit had been lost after the
    # handler's savepoint released (the receipt is what stops the second run).
    Event.objects.filter(pk=event.pk).update(status=Event.Status.PENDING)
    assert events_dispatch() == 1
    assert handled == [("a1", 1)]
    assert HandledEvent.objects.filter(event=event).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_handler_retries_holds_its_aggregate_back_then_goes_dead(monkeypatch, handled):
    calls = []

    def flaky(event):
        calls.append(event.pk)
        raise ValueError("partner down")

    flaky.__qualname__ = "flaky"
    monkeypatch.setitem(outbox.HANDLERS, "test.flaky", [])
    outbox.event_handler("test.flaky")(flaky)
    with transaction.atomic():
        stuck = event_emit("test.flaky", aggregate=("test.thing", "a1"), payload={"n": 1})
    later_same = emit("a1", 2)
    other = emit("b1", 3)

    events_dispatch()
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (Event.Status.PENDING, 1)
    assert "partner down" in stuck.last_error and stuck.next_attempt_at > stuck.occurred_at
    # b1 went through; a1's later event waits behind the stuck one, in order.
    assert handled == [("b1", 3)]
    assert Event.objects.get(pk=later_same.pk).status == Event.Status.PENDING
    assert Event.objects.get(pk=other.pk).status == Event.Status.DISPATCHED

    for _ in range(MAX_ATTEMPTS - 1):
        Event.objects.filter(pk=stuck.pk).update(next_attempt_at=stuck.occurred_at)  # due again now
        events_dispatch()
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (Event.Status.DEAD, MAX_ATTEMPTS)
    assert len(calls) == MAX_ATTEMPTS
    # Dead, it no longer holds a1 back.
    assert handled == [("b1", 3), ("a1", 2)]


@pytest.mark.django_db(transaction=True)
def test_events_of_one_aggregate_are_handled_in_order_by_racing_dispatchers(handled):
    for n in range(60):
        emit(f"agg{n % 3}", n)
    race(4, lambda i: events_dispatch(limit=7))
    events_dispatch()
    assert sorted(handled) == sorted((f"agg{n % 3}", n) for n in range(60))
    for agg in ("agg0", "agg1", "agg2"):
        numbers = [n for a, n in handled if a == agg]
        assert numbers == sorted(numbers)
    assert HandledEvent.objects.count() == 60
    assert not Event.objects.exclude(status=Event.Status.DISPATCHED).exists()


@pytest.mark.django_db(transaction=True)
def test_set_based_emission_writes_one_event_per_row(handled):
    with transaction.atomic():
        count = events_emit_sql(
            TOPIC,
            aggregate_type="test.thing",
            select_sql="SELECT 'g' || n, jsonb_build_object('n', n) FROM generate_series(1, %(most)s) n",
            params={"most": 250},
        )
    assert count == 250
    assert events_dispatch(limit=100) == 250
    assert sorted(n for _, n in handled) == list(range(1, 251))


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_whose_connection_dies_mid_batch_loses_nothing_and_books_nothing_twice(monkeypatch):
    entered, seen = threading.Event(), []

    def slow(event):
        seen.append(event.pk)
        entered.set()
        time.sleep(5)  # the connection is killed meanwhile

    slow.__qualname__ = "slow"
    monkeypatch.setitem(outbox.HANDLERS, "test.slow", [])
    outbox.event_handler("test.slow")(slow)
    with transaction.atomic():
        event = event_emit("test.slow", aggregate=("test.thing", "k"), payload={})
    pids = []

    def dispatcher():
        pids.append(connection.connection.info.backend_pid if connection.connection else None)
        try:
            events_dispatch()
        except (OperationalError, InterfaceError):  # the killed connection
            pass
        finally:
            connection.close()

    def ensure_connected():
        connection.ensure_connection()
        return connection.connection.info.backend_pid

    thread = threading.Thread(target=lambda: (pids.append(ensure_connected()), dispatcher()))
    thread.start()
    assert entered.wait(10)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pids[0]])
    thread.join(15)
    event.refresh_from_db()
    assert event.status == Event.Status.PENDING and not HandledEvent.objects.filter(event=event).exists()

    monkeypatch.setitem(outbox.HANDLERS, "test.slow", [])
    outbox.event_handler("test.slow")(_quick := (lambda e: seen.append(("again", e.pk))))
    assert events_dispatch() == 1
    event.refresh_from_db()
    assert event.status == Event.Status.DISPATCHED
    assert HandledEvent.objects.filter(event=event).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_dispatches_after_commit(settings, handled):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.OUTBOX_NOTIFY = True
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10):
        event = emit("w", 7)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            event.refresh_from_db()
            if event.status == Event.Status.DISPATCHED:
                break
            time.sleep(0.2)
    assert event.status == Event.Status.DISPATCHED
    assert handled == [("w", 7)]


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_commits_sends_one_message_while_one_waits_in_the_queue(settings, monkeypatch, handled, caplog):
    from django.core.cache import cache

    from apps.core.tasks import dispatch_events_task

    sent = []
    monkeypatch.setattr(dispatch_events_task, "delay", lambda: sent.append(1))
    settings.OUTBOX_NOTIFY = True
    settings.REDIS_URL = settings.REDIS_URL or "redis://shared"  # the flag needs a shared cache
    cache.delete(outbox.dispatch_queued_key())

    for n in range(5):
        emit("b", n)
    assert sent == [1]  # the four later commits found a dispatch waiting
    dispatch_events_task()  # the worker takes the message: the flag goes before it looks
    assert handled == [("b", n) for n in range(5)]
    emit("b", 5)
    assert sent == [1, 1]

    # A message the broker refused leaves no flag: the next commit tries again.
    dispatch_events_task()

    def refused():
        raise ConnectionError("broker down")

    monkeypatch.setattr(dispatch_events_task, "delay", refused)
    emit("b", 6)
    assert "could not queue the dispatch" in caplog.text
    assert cache.get(outbox.dispatch_queued_key()) is None
    monkeypatch.setattr(dispatch_events_task, "delay", lambda: sent.append(1))
    emit("b", 7)
    assert sent == [1, 1, 1]

    # A cache that does not answer stops nothing: the message is sent.
    class Unreachable:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(outbox, "cache", Unreachable())
    emit("b", 10)
    assert sent == [1, 1, 1, 1]
    assert "the cache did not answer" in caplog.text
    monkeypatch.setattr(outbox, "cache", cache)

    # With only an in-process cache no flag can be trusted: every commit sends its message.
    settings.REDIS_URL = ""
    emit("b", 8)
    emit("b", 9)
    assert sent == [1, 1, 1, 1, 1, 1]


@pytest.mark.django_db
def test_ops_see_the_outbox_and_an_admin_sends_a_dead_event_round_again(client, officer_web, handled):
    from apps.audit.models import AuditLog
    from tests.support.factories import AdminFactory

    event = emit("d", 1)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DEAD, attempts=MAX_ATTEMPTS, last_error="boom")
    listing = officer_web.get("/admin/core/event/?status__exact=DEAD")
    assert listing.status_code == 200 and TOPIC in listing.content.decode()
    refused = officer_web.post("/admin/core/event/", {"action": "retry", "_selected_action": [event.pk]})
    assert refused.status_code in (200, 403)
    assert Event.objects.get(pk=event.pk).status == Event.Status.DEAD

    client.force_login(AdminFactory())
    done = client.post("/admin/core/event/", {"action": "retry", "_selected_action": [event.pk]})
    assert done.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.attempts) == (Event.Status.PENDING, 0)
    assert AuditLog.objects.filter(action="outbox.event_retried", object_id=str(event.pk)).count() == 1
    assert events_dispatch() == 1 and handled == [("d", 1)]
