"""The partner deliveries' backlog for /metrics (apps/core/metrics.py)."""

from django.db.models import Count

from apps.core.metrics import gauge
from apps.webhooks.models import WebhookDelivery

_UNFINISHED = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING, WebhookDelivery.Status.DEAD)


@gauge("webhook_deliveries", "Partner deliveries waiting (PENDING, RETRYING) or given up on (DEAD).", ["status"])
def webhook_deliveries() -> dict:
    rows = WebhookDelivery.objects.filter(status__in=_UNFINISHED).values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in _UNFINISHED}
