"""Celery entry point of bank data syncs."""

from celery import shared_task


@shared_task(name="banking.sync_run", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def bank_sync_run_task(sync_id: str):
    """Queued when a sync starts. A worker killed mid-run has the message delivered again: the
    run starts over and stores nothing twice (transactions are keyed by the bank's id)."""
    from apps.banking.sync import bank_sync_run

    bank_sync_run(sync_id=sync_id)


@shared_task(name="banking.consent_notified", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def consent_notified_task(consent_handle: str):
    """After the aggregator's notification: ask it about the consent and follow the answer."""
    from apps.banking.services import consent_notified

    consent_notified(consent_handle=consent_handle)
