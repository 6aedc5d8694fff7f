"""Buttons and edits of the admin that call services: KYC reject, a pending payout confirmed
with the bank's UTR or cancelled, and the business date edited by ADMIN, audited."""

import datetime

import pytest

from apps.audit.models import AuditLog
from apps.core.business_date import business_date_set, get_business_date
from apps.core.errors import Conflict
from apps.kyc.models import Business
from apps.loans.models import Loan
from apps.loans.providers import PayoutStatus
from apps.loans.services import payouts as payouts_module
from tests.support.lending import make_loan, verified_business, verified_invoice
from tests.support.providers import ScriptedProvider
from tests.support.users import make_user

pytestmark = pytest.mark.django_db


def test_kyc_reject_button(officer_web, borrower):
    business = verified_business(borrower, kyc_status=Business.KycStatus.MANUAL_REVIEW)
    url = f"/admin/kyc/business/{business.pk}/transition/reject/"
    officer_web.post(url, {"reason": "PAN card does not match the GST certificate"})
    business.refresh_from_db()
    assert business.kyc_status == "REJECTED"
    assert AuditLog.objects.filter(object_id=str(business.pk), reason__startswith="PAN card").exists()


@pytest.fixture
def pending_loan(borrower, monkeypatch):
    monkeypatch.setattr(payouts_module, "get_payout_provider", lambda: ScriptedProvider(PayoutStatus.PENDING))
    loan = make_loan(borrower)
    assert loan.status == Loan.Status.SANCTIONED
    return loan


def test_confirm_payout_asks_for_the_banks_utr(officer_web, pending_loan):
    url = f"/admin/loans/loan/{pending_loan.pk}/transition/confirm_payout/"
    assert "Bank UTR" in officer_web.get(url).content.decode()
    refused = officer_web.post(url, {"utr": ""}, follow=True).content.decode()
    assert "UTR of the payout is required" in refused
    officer_web.post(url, {"utr": "HDFCN52026112912345"})
    pending_loan.refresh_from_db()
    assert (pending_loan.status, pending_loan.payout_utr) == (Loan.Status.ACTIVE, "HDFCN52026112912345")


def test_payout_failed_button_cancels_the_loan_with_a_reason(officer_web, pending_loan):
    url = f"/admin/loans/loan/{pending_loan.pk}/transition/payout_failed/"
    officer_web.post(url, {"reason": "beneficiary account closed"})
    pending_loan.refresh_from_db()
    assert pending_loan.status == Loan.Status.CANCELLED
    assert pending_loan.invoice.status == "VERIFIED"


def test_business_date_edited_in_the_admin_is_audited(admin_web):
    business_date_set(date=get_business_date())  # the row exists once the date has been set
    new = get_business_date() + datetime.timedelta(days=3)
    response = admin_web.post("/admin/core/businessdate/1/change/", {"date": new.isoformat()})
    assert response.status_code == 302
    assert get_business_date() == new
    entry = AuditLog.objects.filter(action="business_date.changed").latest("at")
    assert entry.after == {"business_date": new.isoformat()} and entry.reason == "changed in the admin"


def test_the_admin_refuses_a_business_date_behind_a_closed_day(admin_web):
    from apps.core.business_date import business_day_closed

    today = get_business_date()
    business_date_set(date=today)
    business_day_closed(day=today)
    earlier = today - datetime.timedelta(days=1)
    response = admin_web.post("/admin/core/businessdate/1/change/", {"date": earlier.isoformat()})
    assert response.status_code == 200  # the form again, with its error
    assert "cannot move before it" in response.content.decode()
    assert get_business_date() == today


def test_admin_adds_staff_through_the_service_with_role_group_and_audit(admin_web, client):
    from django.contrib.auth.models import Group

    from apps.accounts.models import User

    response = admin_web.post(
        "/admin/accounts/user/add/",
        {
            "username": "new-officer",
            "role": "OFFICER",
            "password1": "Str0ng-officer-pass",
            "password2": "Str0ng-officer-pass",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="new-officer")
    assert (user.role, user.is_staff) == ("OFFICER", True)
    assert list(user.groups.all()) == [Group.objects.get(name="OFFICER")]
    assert AuditLog.objects.filter(action="user.created", object_id=str(user.pk)).exists()
    from django.http import HttpRequest

    # django-axes counts logins per request, so it wants one even from the test client.
    assert client.login(request=HttpRequest(), username="new-officer", password="Str0ng-officer-pass")
    assert client.get("/admin/loans/loan/").status_code == 200


def test_editing_a_user_in_the_admin_cannot_grant_access_and_is_audited(admin_web):
    from apps.accounts.models import User

    officer = make_user("OFFICER")
    page = admin_web.get(f"/admin/accounts/user/{officer.pk}/change/").content.decode()
    assert 'name="is_staff"' not in page and 'name="groups"' not in page
    admin_web.post(f"/admin/accounts/user/{officer.pk}/change/", {"username": "renamed-officer"})
    assert User.objects.get(pk=officer.pk).username == "renamed-officer"
    assert AuditLog.objects.filter(action="user.changed", object_id=str(officer.pk)).exists()


def test_every_button_names_a_transition_of_its_model():
    """A model with a state machine takes its buttons through it; only a model without one (the
    User: unlock a login, reset a second factor) may name a plain condition."""
    from django.contrib import admin
    from django_fsm import FSMFieldMixin

    from apps.core.admin_transitions import TransitionButtonsMixin

    checked = 0
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, TransitionButtonsMixin):
            has_fsm = any(isinstance(field, FSMFieldMixin) for field in model._meta.fields)
            for button in model_admin.transition_buttons:
                if button.transition is None:
                    assert not has_fsm, (model, button.name)
                    continue
                assert hasattr(getattr(model, button.transition), "_django_fsm"), (model, button.name)
                checked += 1
    assert checked >= 10


def _buttons(web, loan) -> set[str]:
    page = web.get(f"/admin/loans/loan/{loan.pk}/change/").content.decode()
    labels = ["Confirm payout", "Payout failed", "Record a bounce"] + [
        f"Override to {status}" for status in ("ACTIVE", "CANCELLED", "DEFAULTED", "OVERDUE")
    ]
    return {label for label in labels if label in page}


def test_loan_buttons_follow_the_fsm_and_the_permission(client, borrower):
    from apps.loans.services import loan_override
    from tests.support.users import staff

    loan = make_loan(borrower)
    client.force_login(staff("OFFICER"))
    assert _buttons(client, loan) == {"Record a bounce"}  # the override is ADMIN's
    client.force_login(staff("ADMIN"))
    assert _buttons(client, loan) == {"Record a bounce", "Override to DEFAULTED"}
    loan_override(loan_id=loan.pk, status="DEFAULTED", reason="fraud confirmed", actor=None)
    assert _buttons(client, loan) == {"Record a bounce", "Override to ACTIVE", "Override to OVERDUE"}


def test_payout_buttons_only_while_the_payout_is_pending(admin_web, pending_loan):
    assert _buttons(admin_web, pending_loan) == {"Confirm payout", "Payout failed", "Override to CANCELLED"}


def test_the_decision_buttons_go_once_the_application_is_decided(officer_web, borrower):
    from constance.test import override_config

    from apps.loans.models import LoanApplication
    from apps.loans.services import offers_generate
    from apps.loans.services.applications import application_reject
    from tests.support.lending import ensure_products

    ensure_products()
    verified_business(borrower)
    invoice = verified_invoice(borrower)
    with override_config(RISK_REVIEW_AMOUNT=50000), pytest.raises(Conflict):
        offers_generate(invoice_id=invoice.pk, actor=borrower)
    application = LoanApplication.objects.get(invoice=invoice)

    def shown():
        page = officer_web.get(f"/admin/loans/loanapplication/{application.pk}/change/").content.decode()
        return "Approve: make offers" in page

    assert shown()
    application_reject(application_id=application.pk, actor=make_user("OFFICER"), reason="credit committee")
    assert not shown()
