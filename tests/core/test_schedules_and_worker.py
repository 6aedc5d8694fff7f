import json
import time

import pytest
from django_celery_beat.models import PeriodicTask

from apps.core.models import JobRun


@pytest.mark.django_db
def test_beat_schedules_are_installed_in_india_time():
    tasks = {task.name: task for task in PeriodicTask.objects.select_related("crontab")}
    expected = {
        "offer_expiry": ("*/15", "*", "*"),
        "emi_reminders": ("0", "9", "*"),
        "npa_classification": ("0", "1", "*"),
        "risk_recalculation": ("0", "2", "0"),
    }
    for name, (minute, hour, day_of_week) in expected.items():
        crontab = tasks[name].crontab
        assert (crontab.minute, crontab.hour, crontab.day_of_week) == (minute, hour, day_of_week)
        assert str(crontab.timezone) == "Asia/Kolkata"
        assert json.loads(tasks[name].args) == [name]

    from apps.core.jobs import get_job

    for name, task in tasks.items():
        if get_job(name):  # the beat row's task follows the job's own idempotency flag
            assert task.task == ("core.run_idempotent_job" if get_job(name).idempotent else "core.run_job"), name
    assert tasks["risk_recalculation"].task == "core.run_job"


def test_only_idempotent_jobs_are_acks_late():
    from apps.core.tasks import run_idempotent_job_task, run_job_task

    assert run_idempotent_job_task.acks_late is True
    assert run_job_task.acks_late is False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_job_from_the_configured_broker(ledger_chart):
    from celery.contrib.testing.worker import start_worker

    from apps.core.jobs_runner import job_enqueue
    from apps.core.tasks import run_idempotent_job_task
    from config.celery import app

    run = job_enqueue("offer_expiry", triggered_by="test")
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10):
        run_idempotent_job_task.delay("offer_expiry", str(run.pk), "test")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (JobRun.Status.SUCCEEDED, JobRun.Status.FAILED):
                break
            time.sleep(0.2)
    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert run.counts == {"offers_expired": 0, "invoices_reopened": 0}
