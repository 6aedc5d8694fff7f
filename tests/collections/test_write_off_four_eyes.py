"""Four eyes on write-offs: above the live WRITE_OFF_FOUR_EYES_AMOUNT the money recovered is
applied at once and the write-off of what remains waits for an ADMIN who did not ask; at or
below it, the write-off is booked at once as before."""

from decimal import Decimal

import pytest
from constance.test import override_config

from apps.audit.models import Approval, AuditLog
from apps.collections.models import RecoveryAction
from apps.ledger import chart
from apps.ledger.balances import find_drift
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import loan_balances
from apps.loans.models import Loan

pytestmark = pytest.mark.django_db
WHY = "borrower insolvent, collateral sold"


def _owed(loan) -> Decimal:
    loan.refresh_from_db()
    return loan.outstanding_principal + loan.outstanding_interest + loan.outstanding_penalty


def _complete(client, loan, **body):
    action = client.post(
        "/api/v1/recovery/initiate", {"loan_id": str(loan.pk), "action_type": "SETTLEMENT"}, format="json"
    ).json()
    body = {"recovered_amount": "20000.00", "write_off_remaining": True, **body}
    return action["id"], client.post(f"/api/v1/recovery/{action['id']}/complete", body, format="json")


def test_a_write_off_above_the_threshold_waits_for_a_second_admin(
    defaulted, officer_client, admin_client, admin_user, officer
):
    remaining = _owed(defaulted) - Decimal("20000.00")
    with override_config(WRITE_OFF_FOUR_EYES_AMOUNT=int(remaining) - 1):
        action_id, asked = _complete(officer_client, defaulted, reason=WHY)
    assert asked.status_code == 202, asked.content
    body = asked.json()
    assert body["status"] == "PENDING" and body["recovery_action"]["status"] == "COMPLETED"
    assert body["recovery_action"]["recovered_amount"] == "20000.00"
    # The cash is booked now; the write-off is not.
    defaulted.refresh_from_db()
    assert defaulted.status == Loan.Status.DEFAULTED and _owed(defaulted) == remaining
    assert not JournalEntry.objects.filter(entry_type="WRITE_OFF").exists()
    approval = Approval.objects.get(pk=body["approval_id"])
    assert (approval.kind, approval.requested_by, approval.reason) == ("write_off", officer, WHY)
    assert approval.payload == {
        "loan_id": str(defaulted.pk),
        "amount": str(remaining),
        "recovery_action_id": action_id,
    }

    # A second write-off of the loan is not asked while this one waits.
    second, again = _complete(officer_client, defaulted, recovered_amount="0", reason=WHY)
    assert again.status_code == 409 and again.json()["code"] == "approval_pending"
    assert RecoveryAction.objects.get(pk=second).status == "INITIATED"

    approved = admin_client.post(f"/api/v1/admin/approvals/{approval.pk}/approve", {"reason": "seen"}, format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["result"] == {"written_off": str(remaining)}
    assert RecoveryAction.objects.get(pk=action_id).written_off_amount == remaining
    defaulted.refresh_from_db()
    assert defaulted.status == Loan.Status.WRITTEN_OFF and _owed(defaulted) == 0
    entry = JournalEntry.objects.get(entry_type="WRITE_OFF")
    assert entry.actor == admin_user
    balances = loan_balances(defaulted.pk)
    assert balances[chart.LOAN_PRINCIPAL] == 0 and balances.get(chart.INTEREST_RECEIVABLE, 0) == 0
    assert AuditLog.objects.filter(action="loan.written_off", object_id=str(defaulted.pk), actor=admin_user).exists()
    assert find_drift() == []


def test_the_maker_cannot_approve_their_own_write_off(defaulted, admin_client, admin_user):
    with override_config(WRITE_OFF_FOUR_EYES_AMOUNT=1):
        _, asked = _complete(admin_client, defaulted, reason=WHY)
    assert asked.status_code == 202
    refused = admin_client.post(f"/api/v1/admin/approvals/{asked.json()['approval_id']}/approve", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "four_eyes"
    defaulted.refresh_from_db()
    assert defaulted.status == Loan.Status.DEFAULTED


def test_a_write_off_above_the_threshold_needs_a_reason_and_changes_nothing_without(defaulted, officer_client):
    owed = _owed(defaulted)
    with override_config(WRITE_OFF_FOUR_EYES_AMOUNT=1):
        action_id, refused = _complete(officer_client, defaulted, reason="")
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    assert RecoveryAction.objects.get(pk=action_id).status == "INITIATED"
    assert _owed(defaulted) == owed and not Approval.objects.exists()


def test_at_or_below_the_threshold_the_write_off_is_booked_at_once(defaulted, officer_client):
    remaining = _owed(defaulted) - Decimal("20000.00")
    with override_config(WRITE_OFF_FOUR_EYES_AMOUNT=int(remaining) + 1):
        _, done = _complete(officer_client, defaulted)
    assert done.status_code == 200, done.content
    assert done.json()["loan_status"] == "WRITTEN_OFF" and done.json()["written_off_amount"] == str(remaining)
    assert not Approval.objects.exists()


def test_a_payment_before_the_approval_makes_the_write_off_smaller(defaulted, officer_client, admin_user):
    from apps.audit.approvals import approval_approve
    from apps.repayments.services import emi_pay

    with override_config(WRITE_OFF_FOUR_EYES_AMOUNT=1):
        _, asked = _complete(officer_client, defaulted, reason=WHY)
    first_open = defaulted.installments.exclude(status="PAID").order_by("number").first()
    emi_pay(installment_id=first_open.pk, amount=Decimal("5000.00"), actor=admin_user)
    left = _owed(defaulted)
    approval = approval_approve(approval_id=asked.json()["approval_id"], actor=admin_user)
    assert approval.result == {"written_off": str(left)}
    assert Decimal(approval.payload["amount"]) - left == Decimal("5000.00")


def test_the_admin_button_says_the_write_off_waits(defaulted, officer_web):
    from apps.collections.services import recovery_initiate
    from tests.support.users import make_user

    action = recovery_initiate(loan_id=defaulted.pk, action_type="SETTLEMENT", notes="", actor=make_user("OFFICER"))
    with override_config(WRITE_OFF_FOUR_EYES_AMOUNT=1):
        response = officer_web.post(
            f"/admin/collections/recoveryaction/{action.pk}/transition/complete/",
            {"recovered_amount": "1000.00", "write_off_remaining": "on", "reason": WHY},
            follow=True,
        )
    page = response.content.decode()
    assert "it is booked when an ADMIN other than you approves it" in page
    assert Approval.objects.get().kind == "write_off"
    defaulted.refresh_from_db()
    assert defaulted.status == Loan.Status.DEFAULTED
