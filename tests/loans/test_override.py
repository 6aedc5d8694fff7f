import pytest

from apps.audit.models import AuditLog
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


def override(client, loan, **body):
    return client.patch(f"/api/v1/admin/loans/{loan.pk}/override", body, format="json")


def test_override_needs_a_reason_and_is_audited(admin_client, borrower):
    loan = make_loan(borrower)
    missing = override(admin_client, loan, status="DEFAULTED")
    assert missing.status_code == 400 and "reason" in missing.json()["errors"]
    done = override(admin_client, loan, status="DEFAULTED", reason="fraud confirmed by the bank")
    assert done.status_code == 200 and done.json()["status"] == "DEFAULTED"
    log = AuditLog.objects.get(action="loan.override")
    assert (log.before, log.after, log.reason) == (
        {"status": "ACTIVE"},
        {"status": "DEFAULTED"},
        "fraud confirmed by the bank",
    )


@pytest.mark.parametrize("target", ["CLOSED", "WRITTEN_OFF", "SANCTIONED", "OVERDUE"])
def test_states_that_need_money_are_not_reachable_by_override(admin_client, borrower, target):
    loan = make_loan(borrower)
    assert override(admin_client, loan, status=target, reason="try").status_code == 409


def test_only_admin(officer_client, borrower):
    loan = make_loan(borrower)
    assert override(officer_client, loan, status="DEFAULTED", reason="x").status_code == 403
