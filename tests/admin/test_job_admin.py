"""The admin's "run now" queues the job for a worker, as the API's 202 does; it never runs it in
the request. CELERY_TASK_ALWAYS_EAGER is not set, so the message goes out only on commit."""

import dataclasses

import pytest

from apps.audit.models import AuditLog
from apps.core import tasks
from apps.core.jobs import JOBS
from apps.core.models import JobRun

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/core/jobrun/"


@pytest.fixture
def delivered(monkeypatch):
    sent = []
    for task in (tasks.run_job_task, tasks.run_idempotent_job_task):
        monkeypatch.setattr(task, "delay", lambda *args, task=task: sent.append((task.name, args)))
    return sent


@pytest.fixture
def job_ran(monkeypatch):
    """Fails the test if anything runs a job in-process."""

    def refuse(**kwargs):
        raise AssertionError("the job ran inside the web request")

    for name, spec in list(JOBS.items()):
        monkeypatch.setitem(JOBS, name, dataclasses.replace(spec, fn=refuse))


def test_admin_run_now_queues_the_run_and_redirects(admin_web, delivered, job_ran, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_web.post(f"{CHANGELIST}run/offer_expiry/")
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    run = JobRun.objects.get(name="offer_expiry")
    assert run.status == JobRun.Status.QUEUED and run.started_at is None
    assert len(callbacks) == 1
    assert delivered == [("core.run_idempotent_job", ("offer_expiry", str(run.pk), run.triggered_by))]
    audit = AuditLog.objects.get(action="job.queued", object_id=str(run.pk))
    assert audit.actor.get_username() == run.triggered_by
    page = admin_web.get(CHANGELIST).content.decode()
    assert f"Job offer_expiry queued (run {run.pk})" in page


def test_nothing_is_sent_before_the_run_is_committed(admin_web, delivered):
    admin_web.post(f"{CHANGELIST}run/offer_expiry/")
    # The test's transaction never commits, so the worker is never told about an invisible run.
    assert JobRun.objects.filter(name="offer_expiry", status=JobRun.Status.QUEUED).exists()
    assert delivered == []


def test_officer_cannot_run_a_job(officer_web, delivered):
    assert officer_web.post(f"{CHANGELIST}run/offer_expiry/").status_code == 403
    assert officer_web.get(f"{CHANGELIST}run/offer_expiry/").status_code == 403
    assert not JobRun.objects.exists()


def test_run_now_needs_a_post_and_a_known_job(admin_web, delivered):
    assert admin_web.get(f"{CHANGELIST}run/offer_expiry/").status_code == 403
    assert admin_web.post(f"{CHANGELIST}run/no_such_job/").status_code == 404
    assert not JobRun.objects.exists()


def test_run_again_action_queues_each_job_once(admin_web, delivered, job_ran, django_capture_on_commit_callbacks):
    earlier = [
        JobRun.objects.create(name=name, business_date="2026-01-01", status=JobRun.Status.SUCCEEDED)
        for name in ("offer_expiry", "offer_expiry", "risk_recalculation")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_web.post(
            CHANGELIST, {"action": "run_again_now", "_selected_action": [str(run.pk) for run in earlier]}
        )
    assert response.status_code == 302
    queued = JobRun.objects.filter(status=JobRun.Status.QUEUED)
    assert sorted(queued.values_list("name", flat=True)) == ["offer_expiry", "risk_recalculation"]
    assert sorted(args[0] for _, args in delivered) == ["offer_expiry", "risk_recalculation"]
