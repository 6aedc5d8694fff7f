"""Every ADMIN endpoint refuses anonymous callers (401), borrowers and officers (403)."""

import uuid

import pytest

from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db

# A fixed id, not a fresh uuid4: the test ids must be the same in every pytest-xdist worker.
NOBODY = uuid.UUID("00000000-0000-4000-8000-000000000001")
ADMIN_ENDPOINTS = [
    ("get", "/api/v1/admin/business-date"),
    ("put", "/api/v1/admin/business-date"),
    ("post", "/api/v1/admin/jobs/offer_expiry/run"),
    ("get", "/api/v1/admin/jobs/runs"),
    ("get", "/api/v1/admin/audit-logs"),
    ("get", "/api/v1/admin/ledger/summary"),
    ("get", "/api/v1/admin/portfolio/summary"),
    ("post", "/api/v1/admin/users"),
    ("post", f"/api/v1/admin/users/{NOBODY}/freeze"),
    ("post", f"/api/v1/admin/users/{NOBODY}/unfreeze"),
    ("patch", f"/api/v1/admin/loans/{NOBODY}/override"),
]


@pytest.mark.parametrize(("method", "path"), ADMIN_ENDPOINTS)
def test_only_admin(api_client, method, path):
    assert getattr(api_client, method)(path, {}, format="json").status_code == 401
    for role in ("BORROWER", "OFFICER"):
        response = getattr(client_for(make_user(role)), method)(path, {}, format="json")
        assert response.status_code == 403, (role, path)


def test_business_date_read_and_change_is_audited(admin_client):
    from apps.audit.models import AuditLog

    assert "business_date" in admin_client.get("/api/v1/admin/business-date").json()
    response = admin_client.put("/api/v1/admin/business-date", {"business_date": "2027-01-31"}, format="json")
    assert response.json() == {"business_date": "2027-01-31"}
    assert admin_client.get("/api/v1/admin/business-date").json() == {"business_date": "2027-01-31"}
    log = AuditLog.objects.get(action="business_date.changed")
    assert log.after == {"business_date": "2027-01-31"}
    bad = admin_client.put("/api/v1/admin/business-date", {"business_date": "2027-02-30"}, format="json")
    assert bad.status_code == 400 and "business_date" in bad.json()["errors"]


def test_run_a_job_synchronously_and_list_runs(admin_client):
    response = admin_client.post("/api/v1/admin/jobs/offer_expiry/run?sync=true")
    assert response.status_code == 200, response.content
    run = response.json()
    assert run["status"] == "SUCCEEDED"
    assert run["counts"] == {"offers_expired": 0, "invoices_reopened": 0}
    runs = admin_client.get("/api/v1/admin/jobs/runs?name=offer_expiry").json()["results"]
    assert [r["id"] for r in runs] == [run["id"]]
    assert admin_client.post("/api/v1/admin/jobs/no_such_job/run?sync=true").status_code == 404


def test_queued_run_is_202(admin_client, django_capture_on_commit_callbacks, monkeypatch):
    from apps.core import tasks

    delivered = []
    monkeypatch.setattr(tasks.run_idempotent_job_task, "delay", lambda *args: delivered.append(("late", *args)))
    monkeypatch.setattr(tasks.run_job_task, "delay", lambda *args: delivered.append(("early", *args)))
    for name in ("offer_expiry", "risk_recalculation"):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"/api/v1/admin/jobs/{name}/run")
        assert response.status_code == 202
        assert response.json()["status"] == "QUEUED"
        ack = "late" if name == "offer_expiry" else "early"  # only an idempotent job is acks_late
        assert delivered.pop() == (ack, name, response.json()["id"], response.json()["triggered_by"])


def test_audit_logs_filter(admin_client, borrower):
    admin_client.post(f"/api/v1/admin/users/{borrower.pk}/freeze", {"reason": "x"}, format="json")
    rows = admin_client.get(f"/api/v1/admin/audit-logs?action=user.frozen&object_id={borrower.pk}").json()["results"]
    assert len(rows) == 1
    assert rows[0]["reason"] == "x"
    assert admin_client.get("/api/v1/admin/audit-logs?actor=not-a-uuid").status_code == 400
