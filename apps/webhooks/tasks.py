"""Celery entry point of partner webhooks."""

from celery import shared_task


@shared_task(name="webhooks.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_webhooks_task():
    """When deliveries are written, and every minute from beat. A worker killed mid-send leaves
    its claimed deliveries leased; they are sent again when the lease runs out."""
    from apps.webhooks.services import deliveries_send

    return deliveries_send()
