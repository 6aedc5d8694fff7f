"""Every event a partner may subscribe to becomes deliveries when the outbox dispatches it, in
the dispatch transaction (apps/core/outbox.py): an event whose change rolled back was never
written, so it is never delivered."""

from apps.core.outbox import event_handler
from apps.webhooks.models import PARTNER_EVENTS
from apps.webhooks.services import deliveries_create


def to_partners(event):
    deliveries_create(event)


# One handler under one stable name (it keys the outbox's receipts), for every partner topic.
for _topic in PARTNER_EVENTS:
    event_handler(_topic)(to_partners)
