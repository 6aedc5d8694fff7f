"""The transactional outbox: how a lower app lets higher ones react without importing them.

- `event_emit` writes an Event row in the caller's transaction (it refuses to run outside one:
  an event must commit or roll back with its change). `events_emit_sql` writes one per row of a
  query, set-based, for the close of business.
- Higher apps register handlers in their `handlers` module with `@event_handler(topic)`; core
  discovers those modules at start-up the way it discovers jobs, never naming them.
- After the transaction commits, a Celery message asks a worker to `events_dispatch`, unless
  one already waits in the queue (a flag in the shared cache says so: a burst of payments sends
  a few messages, not one each); beat sweeps every minute as well, so an event whose message
  was lost (a broker outage, a worker killed) is still handled. Delivery is at least once: each
  handler runs in a savepoint with a HandledEvent receipt written beside its work, so a
  redelivered event skips handlers that already took it, and a failing handler does not undo
  the others.
- Order per aggregate (a loan): one dispatcher at a time (a transaction advisory lock), taking
  pending events by id, and an event waits while an earlier one of its aggregate is pending.
  A handler that keeps failing is retried with backoff and after MAX_ATTEMPTS its event is
  DEAD: listed in the admin for ops, no longer holding back its aggregate.
"""

import datetime
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from apps.core.models import Event, HandledEvent
from apps.core.signals import audit_event

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 200
_LOCK = zlib.crc32(b"core.outbox.dispatch")


@dataclass(frozen=True)
class Handler:
    name: str
    topic: str
    fn: Callable


HANDLERS: dict[str, list[Handler]] = {}


def event_handler(topic: str):
    """Register `fn(event)` for a topic. Its name (module.function) keys its receipts, so
    renaming a handler makes it take events again: keep names stable."""

    def decorator(fn):
        name = f"{fn.__module__}.{fn.__qualname__}"
        handlers = HANDLERS.setdefault(topic, [])
        if all(h.name != name for h in handlers):
            handlers.append(Handler(name=name, topic=topic, fn=fn))
        return fn

    return decorator


def _aggregate(aggregate) -> tuple[str, str]:
    """A model instance, or (type, id)."""
    if isinstance(aggregate, tuple):
        kind, key = aggregate
        return kind, str(key)
    return aggregate._meta.label_lower, str(aggregate.pk)


def event_emit(topic: str, *, aggregate, payload: dict | None = None, business_date=None) -> Event:
    """Write one event in the current transaction; dispatched once it commits."""
    if not connection.in_atomic_block:
        raise RuntimeError(f"event_emit({topic!r}) outside a transaction: the event must commit with its change")
    kind, key = _aggregate(aggregate)
    event = Event.objects.create(
        topic=topic, aggregate_type=kind, aggregate_id=key, payload=payload or {}, business_date=business_date
    )
    _notify_on_commit()
    return event


def events_emit_many(topic: str, items, *, business_date=None) -> int:
    """One event per (aggregate, payload) pair, in one INSERT: `event_emit` for a set-based change."""
    if not connection.in_atomic_block:
        raise RuntimeError(f"events_emit_many({topic!r}) outside a transaction")
    events = []
    for aggregate, payload in items:
        kind, key = _aggregate(aggregate)
        events.append(
            Event(topic=topic, aggregate_type=kind, aggregate_id=key, payload=payload, business_date=business_date)
        )
    Event.objects.bulk_create(events)
    if events:
        _notify_on_commit()
    return len(events)


def events_emit_sql(topic: str, *, aggregate_type: str, select_sql: str, params: dict, business_date=None) -> int:
    """One event per row of `select_sql`, which yields (aggregate_id, payload jsonb), in one
    INSERT ... SELECT: the close of business emits for a million loans without a Python loop."""
    if not connection.in_atomic_block:
        raise RuntimeError(f"events_emit_sql({topic!r}) outside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO core_event (event_id, topic, aggregate_type, aggregate_id, payload, business_date,
                    occurred_at, status, attempts, next_attempt_at, last_error)
                SELECT gen_random_uuid(), %(_topic)s, %(_type)s, src.aggregate_id::text, src.payload,
                    %(_day)s, now(), 'PENDING', 0, now(), ''
                FROM ({select_sql}) AS src (aggregate_id, payload)""",  # noqa: S608 (select_sql is our own constant SQL)
            {**params, "_topic": topic, "_type": aggregate_type, "_day": business_date},
        )
        count = cursor.rowcount
    if count:
        _notify_on_commit()
    return count


# ---- after commit: one message per transaction, however many events it wrote, and none while
# another waits in the queue -------------------------------------------------------------------

# Set when a dispatch message is sent, cleared by the dispatch when it starts (dispatch_queued_
# clear): while it is set, a dispatch that has not yet looked for events is queued, and it will
# find this transaction's, committed before. A message lost after the flag was set (the sender
# killed between the two, the broker dropping it) holds the flag at most this long, and the
# sweep handles the events meanwhile. Only a cache every process shares (Redis) can say so: with
# the in-process cache, or when the cache does not answer, every commit sends its message. The
# key names the database: two deployments sharing one Redis keep their own flags.
DISPATCH_QUEUED_SECONDS = 60


def dispatch_queued_key() -> str:
    return f"outbox:dispatch-queued:{connection.settings_dict['NAME']}"


def _notify() -> None:
    from apps.core.tasks import dispatch_events_task  # the tasks module imports this one

    if settings.REDIS_URL:
        try:
            if not cache.add(dispatch_queued_key(), 1, timeout=DISPATCH_QUEUED_SECONDS):
                return
        except Exception:  # the cache is down: send, as without a shared cache
            logger.warning("outbox: the cache did not answer; sending the dispatch", exc_info=True)
    try:
        dispatch_events_task.delay()
    except Exception:  # the broker is down: beat's sweep dispatches the events later
        logger.warning("outbox: could not queue the dispatch; the sweep will", exc_info=True)
        dispatch_queued_clear()


def dispatch_queued_clear() -> None:
    """The queued dispatch has started (or was never sent): the next commit sends another."""
    if settings.REDIS_URL:
        try:
            cache.delete(dispatch_queued_key())
        except Exception:  # the cache is down: the flag expires by itself
            logger.warning("outbox: could not clear the queued-dispatch flag", exc_info=True)


def _notify_on_commit() -> None:
    # Django drops the callbacks of a transaction (or savepoint) that rolls back, so looking in
    # its list is what tells whether this transaction already asked.
    if not settings.OUTBOX_NOTIFY or any(entry[1] is _notify for entry in connection.run_on_commit):
        return
    transaction.on_commit(_notify)


# ---- the dispatcher -------------------------------------------------------------------------


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def _claim(limit: int) -> list[Event]:
    """Pending events that are due and have no earlier pending event of their aggregate."""
    return list(
        Event.objects.raw(
            """SELECT e.* FROM core_event e
               WHERE e.status = 'PENDING' AND e.next_attempt_at <= clock_timestamp()
                 AND NOT EXISTS (SELECT 1 FROM core_event p
                                 WHERE p.status = 'PENDING' AND p.aggregate_id = e.aggregate_id
                                   AND p.aggregate_type = e.aggregate_type AND p.id < e.id)
               ORDER BY e.id LIMIT %s""",
            [limit],
        )
    )


def _settle_unhandled() -> int:
    """Events no handler takes (yet: partner webhooks will) are dispatched in one statement;
    a night's hundred thousand classification changes need no loop."""
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE core_event SET status = 'DISPATCHED', dispatched_at = clock_timestamp()
               WHERE status = 'PENDING' AND NOT (topic = ANY(%s))""",
            [list(HANDLERS)],
        )
        return cursor.rowcount


def _run_handlers(event: Event) -> str:
    """Every handler of the event not yet receipted, each in its own savepoint; '' when all
    took it, else the first error."""
    done = set(HandledEvent.objects.filter(event=event).values_list("handler", flat=True))
    for handler in HANDLERS.get(event.topic, ()):
        if handler.name in done:
            continue
        try:
            with transaction.atomic():
                handler.fn(event)
                HandledEvent.objects.create(event=event, handler=handler.name)
        except Exception as exc:
            logger.exception("outbox: %s failed on event %s", handler.name, event.event_id)
            return f"{handler.name}: {type(exc).__name__}: {exc}"[:4000]
    return ""


def _settle(event: Event, error: str) -> None:
    now = timezone.now()
    if not error:
        event.status, event.dispatched_at, event.last_error = Event.Status.DISPATCHED, now, ""
    else:
        event.attempts += 1
        event.last_error = error
        if event.attempts >= MAX_ATTEMPTS:
            event.status = Event.Status.DEAD
        else:
            event.next_attempt_at = now + _backoff(event.attempts)
    event.save(update_fields=["status", "dispatched_at", "last_error", "attempts", "next_attempt_at"])


def events_dispatch(*, limit: int = BATCH, max_batches: int | None = None) -> int:
    """Hand pending events to their handlers, a batch per transaction, until none is due.

    Returns how many events were settled (dispatched, retried later, or dead). A second
    dispatcher finding the lock taken returns 0 at once: the one running will get there.
    """
    settled = batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK])
                if not cursor.fetchone()[0]:
                    return settled
            settled += _settle_unhandled()
            events = _claim(limit)
            if not events:
                return settled
            for event in events:
                _settle(event, _run_handlers(event))
        settled += len(events)
        batches += 1
    return settled


@transaction.atomic
def events_retry(*, event_ids, actor) -> int:
    """ADMIN sends DEAD events round again (after fixing what their handler tripped on): back
    to PENDING with fresh attempts, audited one row each."""
    dead = list(Event.objects.select_for_update().filter(pk__in=event_ids, status=Event.Status.DEAD))
    for event in dead:
        event.status, event.attempts, event.next_attempt_at = Event.Status.PENDING, 0, timezone.now()
        event.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_event.send(
            sender=Event,
            action="outbox.event_retried",
            object_type="core.event",
            object_id=str(event.pk),
            before={"status": "DEAD", "last_error": event.last_error[:500]},
            after={"status": "PENDING"},
            actor=actor,
        )
    if dead:
        _notify_on_commit()
    return len(dead)
