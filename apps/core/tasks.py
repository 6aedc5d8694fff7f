"""Celery entry points. Beat and the API both go through the job runner."""

from celery import shared_task

from apps.core.jobs import get_job
from apps.core.jobs_runner import run_job
from apps.core.models import JobRun


@shared_task(name="core.run_job", acks_late=False)
def run_job_task(name: str, run_id: str | None = None, triggered_by: str = "beat"):
    run = JobRun.objects.filter(pk=run_id).first() if run_id else None
    return str(run_job(name, run=run, triggered_by=triggered_by).pk)


# A redelivered message re-runs the job: only safe for jobs idempotent for their business date.
@shared_task(name="core.run_idempotent_job", acks_late=True, reject_on_worker_lost=True)
def run_idempotent_job_task(name: str, run_id: str | None = None, triggered_by: str = "beat"):
    return run_job_task(name, run_id, triggered_by)


def task_for(name: str):
    spec = get_job(name)
    return run_idempotent_job_task if spec and spec.idempotent else run_job_task


@shared_task(name="core.dispatch_events", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def dispatch_events_task():
    """After a commit that wrote events, and every minute from beat (the sweep). At least once:
    a worker killed mid-batch rolls the batch back and the next run takes it again."""
    from apps.core.outbox import dispatch_queued_clear, events_dispatch

    # Before looking for events: one committed after this point sends a message of its own.
    dispatch_queued_clear()
    return events_dispatch()
