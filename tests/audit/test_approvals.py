"""Four eyes: a charge waiver and a limit override are asked for by one staff user and take
effect only when a different ADMIN approves; the maker never approves their own request."""

import uuid
from decimal import Decimal

import pytest

from apps.audit.approvals import approval_approve
from apps.audit.models import Approval, AuditLog
from apps.loans.approvals import credit_limit_override_request
from apps.loans.models import CreditLimit
from apps.repayments.models import ChargeWaiver
from tests.support.days import close_day, days_after
from tests.support.factories import AdminFactory
from tests.support.lending import make_loan
from tests.support.users import client_for

pytestmark = pytest.mark.django_db
WHY = "first bounce, customer hospitalised"


def _loan_with_charges(borrower):
    loan = make_loan(borrower)
    close_day(days_after(loan, 1, 0))
    close_day(days_after(loan, 1, 5))  # five days of penal charges
    first = loan.installments.get(number=1)
    assert first.penalty_due > 0
    return loan, first


def test_a_waiver_waits_for_a_second_admin(ledger_chart, borrower, officer_client, admin_client, admin_user):
    loan, first = _loan_with_charges(borrower)
    asked = officer_client.post(
        f"/api/v1/admin/loans/{loan.pk}/waive",
        {"installment_id": str(first.pk), "amount": "10.00", "reason": WHY},
        format="json",
    )
    assert asked.status_code == 202, asked.content
    assert asked.json()["status"] == "PENDING"
    approval_id = asked.json()["approval_id"]
    assert not ChargeWaiver.objects.exists()  # nothing happens on one pair of eyes

    listed = admin_client.get("/api/v1/admin/approvals?status=PENDING").json()["results"]
    assert [(a["id"], a["kind"], a["payload"]["amount"]) for a in listed] == [(approval_id, "charge_waiver", "10.00")]

    approved = admin_client.post(f"/api/v1/admin/approvals/{approval_id}/approve", {"reason": "agreed"}, format="json")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "APPROVED" and body["decided_by"] == str(admin_user.pk)
    waiver = ChargeWaiver.objects.get()
    assert body["result"] == {"waiver_id": str(waiver.pk), "amount": "10.00"}
    first.refresh_from_db()
    assert waiver.amount == Decimal("10.00") and waiver.actor == admin_user
    assert AuditLog.objects.filter(action="approval.approved", object_id=approval_id).exists()
    # Decided once.
    again = admin_client.post(f"/api/v1/admin/approvals/{approval_id}/approve", {}, format="json")
    assert again.status_code == 409


def test_the_maker_cannot_approve_their_own_request_and_an_officer_cannot_approve(
    ledger_chart, borrower, admin_client, admin_user, officer_client
):
    loan, first = _loan_with_charges(borrower)
    mine = admin_client.post(
        f"/api/v1/admin/loans/{loan.pk}/waive",
        {"installment_id": str(first.pk), "amount": "5.00", "reason": WHY},
        format="json",
    ).json()["approval_id"]
    refused = admin_client.post(f"/api/v1/admin/approvals/{mine}/approve", {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "four_eyes"
    assert officer_client.post(f"/api/v1/admin/approvals/{mine}/approve", {}, format="json").status_code == 403
    other = client_for(AdminFactory())
    rejected = other.post(f"/api/v1/admin/approvals/{mine}/reject", {"reason": "not policy for this bucket"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "REJECTED"
    assert not ChargeWaiver.objects.exists()
    assert Approval.objects.get(pk=mine).decision_reason == "not policy for this bucket"


def test_bad_waiver_requests_are_refused_naming_the_field(ledger_chart, borrower, officer_client):
    loan, first = _loan_with_charges(borrower)
    url = f"/api/v1/admin/loans/{loan.pk}/waive"
    for body, field in (
        ({"installment_id": str(first.pk), "amount": "999999.00", "reason": WHY}, "amount"),
        ({"installment_id": str(first.pk), "amount": "-1", "reason": WHY}, "amount"),
        ({"installment_id": str(first.pk), "amount": "5.00", "reason": "no"}, "reason"),
        ({"amount": "5.00", "reason": WHY}, "installment_id"),
    ):
        answer = officer_client.post(url, body, format="json")
        assert answer.status_code == 400 and field in str(answer.json()), (body, answer.content)
    other_loan = make_loan()
    stranger = officer_client.post(
        f"/api/v1/admin/loans/{other_loan.pk}/waive",
        {"installment_id": str(first.pk), "amount": "5.00", "reason": WHY},
        format="json",
    )
    assert stranger.status_code == 404
    assert not Approval.objects.exists()


def test_a_limit_override_takes_effect_on_approval(ledger_chart, borrower, officer, admin_user):
    loan = make_loan(borrower)
    asked = credit_limit_override_request(business=loan.business, amount=Decimal("200000"), reason=WHY, actor=officer)
    assert not CreditLimit.objects.exists()
    approval_approve(approval_id=asked.pk, actor=admin_user)
    assert CreditLimit.objects.get(business=loan.business).amount == Decimal("200000.00")


def test_the_console_lists_pending_requests_first_and_links_their_object(ledger_chart, borrower, officer, admin_web):
    loan = make_loan(borrower)
    asked = credit_limit_override_request(business=loan.business, amount=Decimal("200000"), reason=WHY, actor=officer)
    listed = admin_web.get("/admin/audit/approval/").content.decode()
    assert "Override a sanctioned limit" in listed and "Pending: to decide" in listed
    page = admin_web.get(f"/admin/audit/approval/{asked.pk}/change/").content.decode()
    assert f'href="/admin/kyc/business/{loan.business.pk}/change/"' in page
    assert "Approve and apply" in page and "Reject" in page and "200000.00" in page


def test_a_limit_override_is_asked_over_the_api_and_applies_on_approval(
    ledger_chart, borrower, officer_client, admin_client
):
    from apps.loans.limits import business_limit

    loan = make_loan(borrower)
    url = f"/api/v1/admin/businesses/{loan.business.pk}/limit-override"
    asked = officer_client.post(url, {"amount": "250000.00", "reason": WHY}, format="json")
    assert asked.status_code == 202, asked.content
    assert business_limit(loan.business).source != "override"
    approved = admin_client.post(
        f"/api/v1/admin/approvals/{asked.json()['approval_id']}/approve", {"reason": "agreed"}, format="json"
    )
    assert approved.status_code == 200 and approved.json()["result"] == {"limit": "250000.00"}
    limit = business_limit(loan.business)
    assert (limit.source, limit.sanctioned) == ("override", Decimal("250000.00"))
    shown = officer_client.get(f"/api/v1/businesses/{loan.business.pk}/limits").json()
    assert shown["sanctioned_limit"] == "250000.00"

    # Lifting it is asked the same way, with a null amount.
    lift = officer_client.post(url, {"amount": None, "reason": WHY}, format="json")
    admin_client.post(f"/api/v1/admin/approvals/{lift.json()['approval_id']}/approve", {}, format="json")
    assert business_limit(loan.business).source != "override"


def test_bad_limit_override_requests_are_refused_naming_the_field(
    ledger_chart, borrower, officer_client, borrower_client
):
    loan = make_loan(borrower)
    url = f"/api/v1/admin/businesses/{loan.business.pk}/limit-override"
    for body, field in (
        ({"amount": "-1", "reason": WHY}, "amount"),
        ({"amount": "1e9", "reason": WHY}, "amount"),
        ({"reason": WHY}, "amount"),
        ({"amount": "100000", "reason": "raise"}, "reason"),
        ({"amount": "100000", "reason": "x" * 256}, "reason"),  # more than the limit's record keeps
    ):
        refused = officer_client.post(url, body, format="json")
        assert refused.status_code == 400 and field in refused.json()["errors"], (body, refused.content)
    assert borrower_client.post(url, {"amount": "1", "reason": WHY}, format="json").status_code == 403
    assert not Approval.objects.exists()


def test_the_borrower_360_asks_for_a_limit_override(ledger_chart, borrower, officer_web):
    loan = make_loan(borrower)
    page = officer_web.get(f"/admin/borrowers/{loan.business.pk}/").content.decode()
    form_url = f"/admin/borrowers/{loan.business.pk}/limit-override/"
    assert f'href="{form_url}"' in page
    form = officer_web.get(form_url).content.decode()
    assert "Sanctioned limit now" in form and "Ask for a limit override" in form
    short = officer_web.post(form_url, {"amount": "300000", "reason": "more", "token": str(uuid.uuid4())})
    assert short.status_code == 200 and not Approval.objects.exists()
    token = str(uuid.uuid4())
    for _ in range(2):  # the form sent twice asks once
        done = officer_web.post(form_url, {"amount": "300000", "reason": WHY, "token": token}, follow=True)
    assert "Asked for a limit of ₹3,00,000.00" in done.content.decode()
    approval = Approval.objects.get()
    assert (approval.kind, approval.payload["amount"]) == ("limit_override", "300000.00")
    # The 360 says an override waits, so nobody asks twice.
    after = officer_web.get(f"/admin/borrowers/{loan.business.pk}/").content.decode()
    assert "Override asked" in after and "₹3,00,000.00" in after
    assert f'href="/admin/audit/approval/{approval.pk}/change/"' in after
