"""Running a registered job: one JobRun row per run, never two runs of a job at once.

The lock is a PostgreSQL session advisory lock keyed on the job name, so it holds across
processes and machines sharing the database; a second run while one holds it is recorded as
SKIPPED rather than queued behind it.
"""

import datetime
import logging
import time
import zlib

from django.db import connection, transaction
from django.utils import timezone

from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, NotFound, found
from apps.core.jobs import get_job
from apps.core.models import JobRun
from apps.core.signals import audit_event

logger = logging.getLogger(__name__)


def _lock_key(name: str) -> int:
    return zlib.crc32(f"job:{name}".encode())


def _audit(run: JobRun, actor=None, action: str = "job.run"):
    audit_event.send(
        sender=JobRun,
        action=action,
        object_type="core.jobrun",
        object_id=str(run.pk),
        after={"name": run.name, "status": run.status, "business_date": run.business_date, "counts": run.counts},
        actor=actor,
    )


def job_enqueue(name: str, *, business_date: datetime.date | None = None, triggered_by: str = "") -> JobRun:
    if get_job(name) is None:
        raise NotFound(f"No job named {name!r}.")
    return JobRun.objects.create(
        name=name, business_date=business_date or get_business_date(), triggered_by=triggered_by
    )


@transaction.atomic
def job_dispatch(name: str, *, triggered_by: str = "", actor=None) -> JobRun:
    """Queue a run for a worker: the QUEUED row now, the Celery message once it is committed.

    The web's "run now" (API without ?sync, the admin) comes through here, so a long job never
    runs inside a request and a worker never looks for a run that is not yet visible to it.
    """
    # Imported here: the tasks import this module for run_job.
    from apps.core.tasks import task_for

    run = job_enqueue(name, triggered_by=triggered_by)
    _audit(run, actor, action="job.queued")
    run_id = str(run.pk)
    transaction.on_commit(lambda: task_for(name).delay(name, run_id, triggered_by))
    return run


def run_job(
    name: str,
    *,
    business_date: datetime.date | None = None,
    triggered_by: str = "",
    run: JobRun | None = None,
    actor=None,
) -> JobRun:
    spec = found(get_job(name), f"No job named {name!r}.")
    run = run or JobRun(name=name, business_date=business_date or get_business_date(), triggered_by=triggered_by)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key(name)])
        locked = cursor.fetchone()[0]
    if not locked:
        run.status, run.finished_at = JobRun.Status.SKIPPED, timezone.now()
        run.error = "another run of this job holds the lock"
        run.save()
        _audit(run, actor)
        return run
    started = time.monotonic()
    try:
        _close_abandoned(name, actor)
        run.status, run.started_at = JobRun.Status.RUNNING, timezone.now()
        run.save()
        try:
            run.counts = spec.fn(business_date=run.business_date) or {}
            run.status = JobRun.Status.SUCCEEDED
        except Exception as exc:
            logger.exception("job %s failed", name)
            run.status, run.error = JobRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:4000]
        run.finished_at = timezone.now()
        run.duration_ms = int((time.monotonic() - started) * 1000)
        run.save()
        _audit(run, actor)
        return run
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(name)])


def _close_abandoned(name: str, actor) -> None:
    """Runs left RUNNING by a process that died (its connection killed, its worker killed).

    We hold the job's lock, and a live run would hold it too: any other RUNNING row of this job
    belongs to a process that is gone, and PostgreSQL released its lock when it went.
    """
    abandoned = list(JobRun.objects.filter(name=name, status=JobRun.Status.RUNNING))
    for run in abandoned:
        run.status, run.finished_at = JobRun.Status.FAILED, timezone.now()
        run.error = "abandoned: the process running it died before it finished"
        run.save(update_fields=["status", "finished_at", "error"])
        _audit(run, actor)


def run_or_conflict(name: str, **kwargs) -> JobRun:
    run = run_job(name, **kwargs)
    if run.status == JobRun.Status.SKIPPED:
        raise Conflict(f"Job {name} is already running.", code="job_running")
    return run
