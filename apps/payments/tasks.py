"""Celery entry points of the money rails."""

from celery import shared_task


@shared_task(name="payments.apply_webhook_events", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def apply_webhook_events_task():
    """After a webhook is stored, and every minute from beat. At least once: a worker killed
    mid-event rolls that event back and the next run applies it."""
    from apps.payments.webhooks import webhook_events_apply

    return webhook_events_apply()
