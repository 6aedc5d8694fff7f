import pytest
from django_fsm import TransitionNotAllowed

from apps.audit.models import AuditLog
from apps.core.errors import Conflict, InvalidInput
from apps.kyc.models import Business
from apps.kyc.services import kyc_approve, kyc_reject
from tests.support.lending import verified_business
from tests.support.users import make_user

pytestmark = pytest.mark.django_db


def test_an_officer_approves_a_manual_review_with_a_reason(borrower, officer):
    business = verified_business(borrower, kyc_status=Business.KycStatus.MANUAL_REVIEW)
    with pytest.raises(InvalidInput):
        kyc_approve(business_id=business.pk, actor=officer, reason=" ")
    kyc_approve(business_id=business.pk, actor=officer, reason="PAN name matches the GST certificate")
    business.refresh_from_db()
    assert business.kyc_status == "VERIFIED"
    log = AuditLog.objects.get(action="kyc.approved")
    assert (log.before["kyc_status"], log.after["kyc_status"], log.actor_id) == (
        "MANUAL_REVIEW",
        "VERIFIED",
        officer.pk,
    )


def test_illegal_transitions_are_refused(borrower, officer):
    business = verified_business(borrower)
    with pytest.raises(Conflict):
        kyc_reject(business_id=business.pk, actor=officer, reason="too late")
    with pytest.raises(TransitionNotAllowed):
        business.approve("x")
    with pytest.raises(AttributeError):
        business.kyc_status = "REJECTED"
    rejected = verified_business(make_user(), kyc_status=Business.KycStatus.REJECTED)
    with pytest.raises(TransitionNotAllowed):
        rejected.verify()


def test_admin_action_asks_for_a_reason_then_calls_the_service(client, borrower):
    from tests.support.users import make_user

    business = verified_business(borrower, kyc_status=Business.KycStatus.MANUAL_REVIEW)
    officer = make_user("OFFICER")
    from django.contrib.auth.models import Group

    officer.groups.add(Group.objects.get(name="OFFICER"))
    client.force_login(officer)
    url = "/admin/kyc/business/"
    form = client.post(url, {"action": "approve_kyc", "_selected_action": [business.pk]})
    assert form.status_code == 200 and b"Reason" in form.content
    client.post(url, {"action": "approve_kyc", "_selected_action": [business.pk], "apply": "1", "reason": "ok"})
    business.refresh_from_db()
    assert business.kyc_status == "VERIFIED"
