"""Every event a partner may subscribe to becomes deliveries when the outbox dispatches it, in
the dispatch transaction (apps/core/outbox.py): an event whose change rolled back was never
written, so it is never delivered."""

from apps.core.outbox import event_handler
from apps.webhooks.models import PARTNER_EVENTS
from apps.webhooks.services import deliveries_create


def _register(topic: str) -> None:
    def to_partners(event):
        deliveries_create(event)

    # One stable name per topic: the name keys the outbox's receipts.
    to_partners.__qualname__ = to_partners.__name__ = "to_partners"
    event_handler(topic)(to_partners)


for _topic in PARTNER_EVENTS:
    _register(_topic)
