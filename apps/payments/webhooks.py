"""Inbound webhooks of the payment rail: verified, stored raw, answered at once, applied by a
worker (DESIGN.md "Money rails and outside parties").

- `webhook_receive` checks the signature over the raw body (constant time, 300 s tolerance)
  before anything else: a bad or stale one stores nothing. A valid event is inserted once by the
  rail's event id (the same id again changes nothing) and a worker is asked to apply it after
  commit; beat's sweep asks every minute too.
- `webhook_events_apply` claims due events a batch at a time (`FOR UPDATE SKIP LOCKED`, so
  several workers share the queue). A type with a set-based applier (`APPLIERS_MANY`: plain
  payments) applies what it can of the batch in one transaction, the events APPLIED in the same
  commit. Every other event, and any the set-based applier hands back, goes through its
  one-at-a-time applier (by type, in `APPLIERS`) in a transaction of its own: that is the path
  that says what is wrong with an event. Appliers are idempotent by what they book (a payout's
  reference, a UTR). A failure is retried with backoff and after MAX_ATTEMPTS the event is
  DEAD: the dead-letter list ops replay from the admin.
"""

import datetime
import json
import logging
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.audit.services import record
from apps.core.bulk import rows_update
from apps.core.errors import InvalidInput, Unauthenticated
from apps.core.signatures import SignatureInvalid, verify
from apps.payments.models import WebhookEvent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Events claimed per transaction. The set-based applier takes every lock of a batch in id order
# and the ledger's balance rows in one statement, so two workers' batches cannot deadlock (the
# one-at-a-time appliers, whose entries lock stripes chosen per entry, never share a transaction).
BATCH = 50
# The rail's event types, and the function that applies each (`fn(event) -> dict`, its result
# kept on the event). Filled by the modules that own what an event moves (payouts, intents,
# mandates) through `applies`.
APPLIERS: dict[str, Callable] = {}
# Set-based appliers: `fn(events) -> ({event pk: result}, events it leaves to APPLIERS)`.
APPLIERS_MANY: dict[str, Callable] = {}


def applies(event_type: str):
    def decorator(fn):
        APPLIERS[event_type] = fn
        return fn

    return decorator


def applies_many(event_type: str):
    def decorator(fn):
        APPLIERS_MANY[event_type] = fn
        return fn

    return decorator


def _shape(raw_body: bytes) -> dict:
    try:
        body = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("The body is not JSON.", field="body") from None
    if not isinstance(body, dict):
        raise InvalidInput("The body must be an object.", field="body")
    for name in ("id", "type"):
        if not isinstance(body.get(name), str) or not body[name] or len(body[name]) > 100:
            raise InvalidInput(f"`{name}` must be a string of 1 to 100 characters.", field=name)
    if not isinstance(body.get("data"), dict):
        raise InvalidInput("`data` must be an object.", field="data")
    created = body.get("created")
    if isinstance(created, int | float) and not isinstance(created, bool):
        try:
            created = datetime.datetime.fromtimestamp(created, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            created = None
    elif isinstance(created, str):
        try:
            created = parse_datetime(created)
        except ValueError:
            created = None
    else:
        created = None
    if created is None:
        raise InvalidInput("`created`: unix seconds or an ISO 8601 time.", field="created")
    if created.tzinfo is None:
        created = timezone.make_aware(created, datetime.UTC)
    return {**body, "created": created}


def _notify():
    try:  # by name: the task module imports this one
        current_app.send_task("payments.apply_webhook_events")
    except Exception:  # the broker is down: beat's sweep applies the event within a minute
        logger.warning("payments: could not queue the webhook apply; the sweep will", exc_info=True)


def webhook_receive(*, raw_body: bytes, signature: str) -> tuple[WebhookEvent, bool]:
    """Verify, then store the event once. Returns (event, stored now)."""
    try:
        signed = verify(
            settings.PAYMENT_WEBHOOK_SECRET,
            signature,
            raw_body,
            tolerance=settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
        )
    except SignatureInvalid as exc:
        raise Unauthenticated(str(exc), code="signature_invalid") from None
    body = _shape(raw_body)
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = WebhookEvent.objects.create(
                    event_id=body["id"],
                    type=body["type"],
                    created=body["created"],
                    data=body["data"],
                    raw_body=raw_body.decode(),
                    signature=signature[:255],
                    signed_at=datetime.datetime.fromtimestamp(signed, tz=datetime.UTC),
                )
        except IntegrityError:  # the same event id again: already stored, nothing more to do
            return WebhookEvent.objects.get(event_id=body["id"]), False
        if settings.OUTBOX_NOTIFY:
            transaction.on_commit(_notify)
    return event, True


# ---- applying ----------------------------------------------------------------------------------


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(15 * 4 ** (attempts - 1), 6 * 3600))


def _due():
    return WebhookEvent.objects.select_for_update(skip_locked=True).filter(
        status__in=[WebhookEvent.Status.RECEIVED, WebhookEvent.Status.RETRYING], next_attempt_at__lte=timezone.now()
    )


def _claim(limit: int) -> list[WebhookEvent]:
    return list(_due().order_by("next_attempt_at", "id")[:limit])


def _settle(event: WebhookEvent) -> None:
    """Apply one claimed event in its own savepoint and record what became of it."""
    applier = APPLIERS.get(event.type)
    now = timezone.now()
    if applier is None:
        event.status, event.applied_at = WebhookEvent.Status.IGNORED, now
        event.save(update_fields=["status", "applied_at"])
        return
    try:
        with transaction.atomic():
            result = applier(event) or {}
    except Exception as exc:
        logger.exception("payments: applying %s %s failed", event.type, event.event_id)
        event.attempts += 1
        event.last_error = f"{type(exc).__name__}: {exc}"[:4000]
        if event.attempts >= MAX_ATTEMPTS:
            event.status = WebhookEvent.Status.DEAD
        else:
            event.status, event.next_attempt_at = WebhookEvent.Status.RETRYING, now + _backoff(event.attempts)
        event.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
        return
    event.status, event.applied_at, event.result, event.last_error = WebhookEvent.Status.APPLIED, now, result, ""
    event.save(update_fields=["status", "applied_at", "result", "last_error"])


def _apply_batch(size: int) -> tuple[int, int, list[int]]:
    """Claim a batch and apply what the set-based appliers take, in one transaction. Returns
    (claimed, applied, the ids of the events left for one at a time)."""
    events: list[WebhookEvent] = []
    try:
        with transaction.atomic():
            events = _claim(size)
            by_type: dict[str, list[WebhookEvent]] = {}
            for event in events:
                by_type.setdefault(event.type, []).append(event)
            applied, rest = [], []
            for event_type, group in by_type.items():
                many = APPLIERS_MANY.get(event_type)
                if many is None or len(group) == 1:
                    rest.extend(group)
                    continue
                results, left = many(group)
                rest.extend(left)
                now = timezone.now()
                for event in group:
                    if event.pk in results:
                        event.status, event.applied_at, event.last_error = WebhookEvent.Status.APPLIED, now, ""
                        event.result = results[event.pk]
                        applied.append(event)
            rows_update(WebhookEvent, applied, ["status", "applied_at", "result", "last_error"])
    except Exception:
        # The set-based path is only faster; the one-at-a-time path applies (or explains) each.
        logger.exception("payments: a batch of %d webhook events fell back to one at a time", len(events))
        return len(events), 0, [event.pk for event in events]
    return len(events), len(applied), sorted(event.pk for event in rest)


def _apply_one(event_pk: int) -> bool:
    """Apply one event in its own transaction, unless another worker holds or settled it."""
    with transaction.atomic():
        event = _due().filter(pk=event_pk).first()
        if event is None:
            return False
        _settle(event)
    return True


def webhook_events_apply(*, limit: int = 1000, batch: int = BATCH) -> int:
    """Apply due events until none is left (or `limit` are claimed); returns how many this call
    settled. Workers skip each other's locked events, so several share the queue."""
    done = claimed = 0
    while claimed < limit:
        taken, applied, rest = _apply_batch(min(batch, limit - claimed))
        if not taken:
            break
        claimed += taken
        done += applied + sum(_apply_one(pk) for pk in rest)
    return done


@transaction.atomic
def webhook_events_replay(*, event_ids, actor) -> int:
    """Ops send dead letters round again once the cause is fixed (audited, one row each)."""
    dead = list(WebhookEvent.objects.select_for_update().filter(pk__in=event_ids, status=WebhookEvent.Status.DEAD))
    for event in dead:
        error = event.last_error
        event.status, event.attempts, event.next_attempt_at = WebhookEvent.Status.RECEIVED, 0, timezone.now()
        event.save(update_fields=["status", "attempts", "next_attempt_at"])
        record(
            "payments.webhook_replayed",
            obj=event,
            before={"status": "DEAD", "last_error": error[:500]},
            after={"status": "RECEIVED"},
            actor=actor,
        )
    if dead and settings.OUTBOX_NOTIFY:
        transaction.on_commit(_notify)
    return len(dead)
