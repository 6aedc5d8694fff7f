"""The admin index's job table shows each job's newest run, whatever its status."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.jobs import JOBS
from apps.core.models import JobRun
from apps.reports.dashboard import last_job_runs

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 1, 15)


def _run(name, status, *, minutes_ago, started=True):
    at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return JobRun.objects.create(
        name=name,
        business_date=DAY,
        status=status,
        created_at=at,
        started_at=at if started else None,
        finished_at=None if status == JobRun.Status.QUEUED else at,
    )


def test_the_latest_run_of_each_job_is_shown():
    # An old SKIPPED run has no started_at; it must not hide the newer run that finished.
    _run("offer_expiry", JobRun.Status.SKIPPED, minutes_ago=60, started=False)
    _run("offer_expiry", JobRun.Status.SUCCEEDED, minutes_ago=45)
    newest_offer_expiry = _run("offer_expiry", JobRun.Status.SUCCEEDED, minutes_ago=30)
    # A run queued after a finished one is the latest, even though it has not started.
    _run("risk_recalculation", JobRun.Status.FAILED, minutes_ago=90)
    queued = _run("risk_recalculation", JobRun.Status.QUEUED, minutes_ago=1, started=False)
    # A job that never ran is listed without a run; a name no longer registered is not listed.
    _run("retired_job", JobRun.Status.SUCCEEDED, minutes_ago=0)

    with CaptureQueriesContext(connection) as queries:
        rows = last_job_runs()
    assert len(queries) == 1
    assert [row["name"] for row in rows] == sorted(JOBS)
    latest = {row["name"]: row["run"] for row in rows}
    assert latest["offer_expiry"] == newest_offer_expiry
    assert latest["risk_recalculation"] == queued
    assert latest["npa_classification"] is None
    assert "retired_job" not in latest


def test_the_admin_index_shows_the_latest_status(admin_user, client):
    from django.contrib.auth.models import Group

    admin_user.groups.add(Group.objects.get(name="ADMIN"))
    client.force_login(admin_user)
    _run("offer_expiry", JobRun.Status.SKIPPED, minutes_ago=60, started=False)
    _run("offer_expiry", JobRun.Status.SUCCEEDED, minutes_ago=30)
    page = client.get("/admin/").content.decode()
    table = page[page.index('id="job-runs"') :]
    row = table[table.index("<b>offer_expiry</b>") :].split("</tr>")[0]
    assert "pill-succeeded" in row and "pill-skipped" not in row
