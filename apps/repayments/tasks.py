"""Celery entry point of the close of business's parts (apps/repayments/close_of_business.py)."""

import uuid

from celery import shared_task


@shared_task(name="repayments.close_of_business_part", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def close_of_business_part_task(run_id: str):
    """Help a close of business in progress: claim its parts until none is left. A worker killed
    mid-part leaves the part to be claimed again when its lease runs out."""
    from apps.repayments.close_of_business import parts_work

    parts_work(uuid.UUID(run_id))
