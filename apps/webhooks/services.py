"""Partner webhooks: registering an endpoint, turning events into deliveries, sending them.

- `endpoint_register`: ADMIN names a URL (checked by `destination_check`) and the event types;
  the secret is generated here and returned once.
- `deliveries_create`: the outbox handler's work, in the dispatch transaction: one delivery per
  active endpoint subscribed to the event's type, in one INSERT (an event redelivered by the
  outbox adds none: unique per endpoint and event).
- `deliveries_send`: a worker claims due deliveries in a short transaction (leasing them, so a
  worker killed mid-send leaves them to be sent again when the lease runs out: at least once;
  partners de-duplicate on X-Event-Id), sends them from a thread pool with no transaction open,
  then records every outcome through the state machine in one transaction. A delivery waits
  while an earlier one of the same endpoint and aggregate (a loan) is still owed, so a partner
  sees a loan's events in order; each endpoint gets at most a share of a batch, so one slow or
  dead partner cannot take every thread.
- `deliveries_redeliver`: ADMIN sends deliveries again (audited).
"""

import datetime
import logging
import random
from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.audit.services import record
from apps.core.bulk import rows_update
from apps.core.errors import InvalidInput
from apps.core.http import require_no_transaction
from apps.webhooks.destinations import UnsafeDestination, destination_check
from apps.webhooks.models import PARTNER_EVENTS, WebhookDelivery, WebhookEndpoint
from apps.webhooks.sender import delivery_body, post_signed

logger = logging.getLogger(__name__)

# Seconds before attempt 2, 3, ... (API.md: about 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, 24 h);
# a failure after the last is DEAD. Each wait is spread by up to a tenth either way, so a
# partner back from an outage is not hit by every retry in the same second.
BACKOFF = (60, 300, 1800, 7200, 21600, 43200, 86400)
JITTER = 0.1
BATCH = 200
# How long a claimed delivery is left to its worker before another may send it again.
LEASE = datetime.timedelta(minutes=2)


def endpoint_register(*, url: str, events, description: str = "", actor) -> WebhookEndpoint:
    url = (url or "").strip()
    try:
        destination_check(url)
    except UnsafeDestination as exc:
        raise InvalidInput(str(exc), field="url") from None
    chosen = [name for name in PARTNER_EVENTS if name in set(events or ())]  # in the documented order
    unknown = set(events or ()) - set(PARTNER_EVENTS)
    if not chosen or unknown:
        raise InvalidInput(f"events: one or more of {', '.join(PARTNER_EVENTS)}.", field="events")
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            url=url, events=chosen, description=(description or "")[:255], created_by=actor
        )
        record("webhooks.endpoint_registered", obj=endpoint, after={"url": url, "events": chosen}, actor=actor)
    return endpoint


_FAN_OUT = """
INSERT INTO webhooks_webhookdelivery
    (endpoint_id, event_id, event_type, ordering_key, status, attempts, next_attempt_at, last_error, created_at)
SELECT e.id, %(event)s, %(topic)s, %(key)s, 'PENDING', 0, now(), '', now()
FROM webhooks_webhookendpoint e
WHERE e.is_active AND %(topic)s = ANY(e.events)
ON CONFLICT (endpoint_id, event_id) DO NOTHING
"""


def _notify():
    try:  # by name: the tasks module sits above this one
        current_app.send_task("webhooks.deliver")
    except Exception:  # the broker is down: beat's sweep sends them within a minute
        logger.warning("webhooks: could not queue the delivery; the sweep will", exc_info=True)


def deliveries_create(event) -> int:
    """One delivery per subscribed active endpoint; called inside the dispatch transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            _FAN_OUT,
            {"event": event.pk, "topic": event.topic, "key": f"{event.aggregate_type}:{event.aggregate_id}"[:140]},
        )
        created = cursor.rowcount
    if created and settings.OUTBOX_NOTIFY:
        transaction.on_commit(_notify)
    return created


# The oldest due deliveries (a bounded scan of the due index), less those waiting on an earlier
# delivery of their key, at most `per_endpoint` of one endpoint, leased by bumping their next
# attempt. statement_timestamp(), not now(): the claim's own moment, usable by the index.
_CLAIM = """
WITH candidates AS (
    SELECT c.id, c.endpoint_id, c.ordering_key FROM webhooks_webhookdelivery c
    WHERE c.status IN ('PENDING', 'RETRYING') AND c.next_attempt_at <= statement_timestamp()
    ORDER BY c.next_attempt_at, c.id LIMIT %(scan)s
), due AS (
    SELECT c.id, row_number() OVER (PARTITION BY c.endpoint_id ORDER BY c.id) AS nth
    FROM candidates c
    WHERE NOT EXISTS (SELECT 1 FROM webhooks_webhookdelivery p
                      WHERE p.endpoint_id = c.endpoint_id AND p.ordering_key = c.ordering_key
                        AND p.status IN ('PENDING', 'RETRYING') AND p.id < c.id)
), chosen AS (
    SELECT d.id FROM webhooks_webhookdelivery d JOIN due ON due.id = d.id
    WHERE due.nth <= %(per_endpoint)s
    ORDER BY d.id LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE webhooks_webhookdelivery d SET attempts = d.attempts + 1, next_attempt_at = statement_timestamp() + %(lease)s
FROM chosen WHERE d.id = chosen.id
RETURNING d.id
"""


def _claim(limit: int) -> list[WebhookDelivery]:
    per_endpoint = max(1, limit // 2)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM, {"limit": limit, "scan": limit * 4, "per_endpoint": per_endpoint, "lease": LEASE})
        ids = [row[0] for row in cursor.fetchall()]
    return list(WebhookDelivery.objects.filter(pk__in=ids).select_related("endpoint", "event").order_by("id"))


def _send(delivery: WebhookDelivery):
    return post_signed(
        url=delivery.endpoint.url,
        secret=delivery.endpoint.secret,
        event_id=str(delivery.event.event_id),
        body=delivery_body(delivery.event),
        timeout=settings.WEBHOOK_DELIVERY_TIMEOUT_SECONDS,
    )


def _wait(attempts: int) -> datetime.timedelta:
    base = BACKOFF[attempts - 1]
    return datetime.timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def _record(sent: list[tuple[WebhookDelivery, object]]) -> dict:
    """Every outcome through the state machine, in one transaction; a delivery ADMIN sent again
    meanwhile (no longer the attempt this worker made) is left as ADMIN left it."""
    counts = {"delivered": 0, "retrying": 0, "dead": 0}
    now = timezone.now()
    with transaction.atomic():
        current = {
            row.pk: row
            for row in WebhookDelivery.objects.select_for_update().filter(pk__in=[d.pk for d, _ in sent]).order_by("pk")
        }
        settled = []
        for claimed, outcome in sent:
            row = current.get(claimed.pk)
            if row is None or row.attempts != claimed.attempts or row.status not in ("PENDING", "RETRYING"):
                continue
            if outcome.delivered:
                row.delivered(status_code=outcome.status_code, at=now)
                counts["delivered"] += 1
            elif row.attempts > len(BACKOFF):
                row.give_up(status_code=outcome.status_code, error=outcome.error)
                counts["dead"] += 1
            else:
                row.retry_later(status_code=outcome.status_code, error=outcome.error, at=now + _wait(row.attempts))
                counts["retrying"] += 1
            settled.append(row)
        rows_update(
            WebhookDelivery, settled, ["status", "last_status_code", "last_error", "delivered_at", "next_attempt_at"]
        )
    return counts


def deliveries_send(*, limit: int = BATCH, max_batches: int = 50) -> dict:
    """Send due deliveries, a batch at a time, until none is due (or `max_batches`)."""
    require_no_transaction("deliveries_send")
    totals = {"delivered": 0, "retrying": 0, "dead": 0}
    with ThreadPoolExecutor(max_workers=settings.WEBHOOK_DELIVERY_CONCURRENCY) as pool:
        for _ in range(max_batches):
            claimed = _claim(limit)
            if not claimed:
                break
            outcomes = list(pool.map(_send, claimed))
            for name, count in _record(list(zip(claimed, outcomes, strict=True))).items():
                totals[name] += count
    return totals


@transaction.atomic
def deliveries_redeliver(*, delivery_ids, actor) -> int:
    """ADMIN sends deliveries again now, whatever became of them (a partner that lost one)."""
    rows = list(WebhookDelivery.objects.select_for_update().filter(pk__in=delivery_ids).order_by("pk"))
    now = timezone.now()
    for row in rows:
        before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
        row.redeliver(at=now)
        row.save(update_fields=["status", "attempts", "next_attempt_at"])
        record("webhooks.delivery_redelivered", obj=row, before=before, after={"status": row.status}, actor=actor)
    if rows and settings.OUTBOX_NOTIFY:
        transaction.on_commit(_notify)
    return len(rows)
