"""The job runner: one run of a job at a time (a PostgreSQL advisory lock), every run recorded
and audited, a failure kept with its error rather than raised."""

import datetime

import psycopg
import pytest
from django.db import connection

from apps.audit.models import AuditLog
from apps.core.jobs import JOBS, job
from apps.core.jobs_runner import _lock_key, run_job
from apps.core.models import JobRun

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 1, 15)


def _other_session():
    """A second database session, as another worker or web process would have."""
    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"],
    }
    return psycopg.connect(autocommit=True, **{key: value for key, value in params.items() if value})


@pytest.fixture
def lock_held_elsewhere():
    """Holds the advisory lock of a job from another session while the test runs."""
    sessions = []

    def hold(name):
        session = _other_session()
        session.execute("SELECT pg_advisory_lock(%s)", [_lock_key(name)])
        sessions.append(session)
        return session

    yield hold
    for session in sessions:
        session.close()


def _lock_is_held_by(session, name) -> bool:
    row = session.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND objid = %s",
        [_lock_key(name) & 0xFFFFFFFF],
    ).fetchone()
    return row[0] == 1


@pytest.fixture
def exploding_job():
    name = "test_explodes"

    @job(name, description="A job that fails, registered by the test.")
    def explode(*, business_date):
        raise ValueError(f"books do not balance on {business_date}")

    yield name
    JOBS.pop(name, None)


def test_a_run_while_another_holds_the_lock_is_skipped(lock_held_elsewhere):
    holder = lock_held_elsewhere("offer_expiry")
    run = run_job("offer_expiry", business_date=DAY, triggered_by="test")
    run.refresh_from_db()
    assert run.status == JobRun.Status.SKIPPED
    assert run.started_at is None and run.finished_at is not None
    assert run.error == "another run of this job holds the lock"
    audit = AuditLog.objects.get(action="job.run", object_id=str(run.pk))
    assert audit.after["status"] == "SKIPPED"
    # The skipped run must not release a lock it never took.
    assert _lock_is_held_by(holder, "offer_expiry")


def test_the_lock_is_per_job(lock_held_elsewhere):
    lock_held_elsewhere("risk_recalculation")
    assert run_job("offer_expiry", business_date=DAY).status == JobRun.Status.SUCCEEDED


def test_the_apis_synchronous_run_answers_409_while_the_job_runs(admin_client, lock_held_elsewhere):
    lock_held_elsewhere("offer_expiry")
    response = admin_client.post("/api/v1/admin/jobs/offer_expiry/run?sync=true")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "job_running"
    assert JobRun.objects.get(name="offer_expiry").status == JobRun.Status.SKIPPED


def test_the_lock_is_free_again_after_a_run():
    assert run_job("offer_expiry", business_date=DAY).status == JobRun.Status.SUCCEEDED
    other = _other_session()
    try:
        assert other.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key("offer_expiry")]).fetchone()[0]
    finally:
        other.close()


def test_a_failing_job_is_recorded_failed_with_its_error_and_audited(exploding_job):
    run = run_job(exploding_job, business_date=DAY, triggered_by="test")
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED
    assert run.error == "ValueError: books do not balance on 2027-01-15"
    assert run.started_at is not None and run.finished_at is not None and run.duration_ms is not None
    audit = AuditLog.objects.get(action="job.run", object_id=str(run.pk))
    assert audit.object_type == "core.jobrun"
    assert audit.after["status"] == "FAILED" and audit.after["name"] == exploding_job
    # A failure releases the lock: the next run is not skipped.
    assert run_job(exploding_job, business_date=DAY).status == JobRun.Status.FAILED


def test_the_apis_synchronous_run_reports_a_failure_as_a_finished_run(admin_client, exploding_job):
    response = admin_client.post(f"/api/v1/admin/jobs/{exploding_job}/run?sync=true")
    assert response.status_code == 200
    assert response.json()["status"] == "FAILED"
    assert response.json()["error"].startswith("ValueError: books do not balance")
