import uuid

import pytest

from apps.accounts.models import User
from apps.core.inr import inr
from apps.kyc.models import Business
from apps.loans.models import Loan
from tests.support.days import close_day, days_after
from tests.support.lending import make_loan, verified_business
from tests.support.users import make_user, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "officer", "admin"),
    [
        ("/admin/loans/loan/", 200, 200),
        ("/admin/kyc/business/", 200, 200),
        ("/admin/repayments/repayment/", 200, 200),
        ("/admin/collections/recoveryaction/", 200, 200),
        ("/admin/collections/notification/", 200, 200),
        ("/admin/audit/auditlog/", 200, 200),
        ("/admin/ledger/journalentry/", 200, 200),
        ("/admin/core/jobrun/", 200, 200),
        ("/admin/loans/loanproduct/add/", 403, 200),
        ("/admin/accounts/user/add/", 403, 200),
        ("/admin/constance/config/", 403, 200),
        ("/admin/core/businessdate/", 200, 200),
        ("/admin/django_celery_beat/periodictask/", 200, 200),
    ],
)
def test_admin_is_shaped_by_role(client, url, officer, admin):
    client.force_login(staff("OFFICER"))
    assert client.get(url).status_code == officer, url
    client.force_login(staff("ADMIN"))
    assert client.get(url).status_code == admin, url


def test_borrowers_cannot_enter_the_admin(client, borrower):
    client.force_login(borrower)
    assert client.get("/admin/").status_code == 302


def test_dashboard_shows_the_book_and_the_jobs(admin_web, borrower):
    make_loan(borrower)
    page = admin_web.get("/admin/").content.decode()
    assert 'id="book-dashboard"' in page
    assert "npa_classification" in page and "Scheduled jobs" in page


def test_kyc_buttons_ask_for_a_reason_then_call_the_service(officer_web, borrower):
    business = verified_business(borrower, kyc_status=Business.KycStatus.MANUAL_REVIEW)
    page = officer_web.get(f"/admin/kyc/business/{business.pk}/change/").content.decode()
    assert "Approve KYC" in page and "Reject KYC" in page
    url = f"/admin/kyc/business/{business.pk}/transition/approve/"
    assert b"Reason" in officer_web.post(url, {}).content
    officer_web.post(url, {"reason": "documents match"})
    business.refresh_from_db()
    assert business.kyc_status == "VERIFIED"
    again = officer_web.post(url, {"reason": "twice"}, follow=True).content.decode()
    assert "was not done" in again


def test_loan_page_shows_schedule_ledger_and_audit_and_records_a_bounce(officer_web, borrower):
    loan = make_loan(borrower)
    page = officer_web.get(f"/admin/loans/loan/{loan.pk}/change/").content.decode()
    for text in ("Record a bounce", "Ledger lines", "Audit trail", "Disbursement", "loan.sanctioned", loan.reference):
        assert text in page, text
    assert "Override to" not in page  # ADMIN only
    # Real tables, not their markup shown as text.
    assert "&lt;table" not in page and "&lt;td" not in page
    assert "<th>Account</th>" in page and "<td>Disbursement</td>" in page
    assert "<th>Action</th>" in page and "<td>loan.sanctioned</td>" in page
    # Money as ops read it, and no Save button on a page with nothing to edit.
    assert inr(loan.principal) in page and 'name="_save"' not in page
    installment = loan.installments.get(number=1)
    officer_web.post(
        f"/admin/loans/loan/{loan.pk}/do/record_bounce/",
        {"token": str(uuid.uuid4()), "return_code": "04", "installment": installment.pk},
    )
    loan.refresh_from_db()
    assert loan.bounce_count == 1


def test_admin_overrides_from_the_loan_page(admin_web, borrower):
    loan = make_loan(borrower)
    assert "Override to DEFAULTED" in admin_web.get(f"/admin/loans/loan/{loan.pk}/change/").content.decode()
    admin_web.post(f"/admin/loans/loan/{loan.pk}/transition/override_defaulted/", {"reason": "fraud"})
    loan.refresh_from_db()
    assert loan.status == Loan.Status.DEFAULTED


def test_officer_cannot_post_an_override(officer_web, borrower):
    loan = make_loan(borrower)
    response = officer_web.post(f"/admin/loans/loan/{loan.pk}/transition/override_defaulted/", {"reason": "x"})
    assert response.status_code == 403


def test_csv_export_streams_the_filtered_list(officer_web, borrower):
    make_loan(borrower)
    make_loan(make_user())
    response = officer_web.get("/admin/loans/loan/export-csv/?status__exact=ACTIVE")
    assert response.streaming
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].startswith("id,business__gstin,status")
    assert len(lines) == 3
    none = b"".join(officer_web.get("/admin/loans/loan/export-csv/?status__exact=CLOSED").streaming_content)
    assert none.decode().strip().count("\n") == 0


def test_live_settings_are_editable_by_admin_and_audited(admin_web):
    from constance import config

    from apps.audit.models import AuditLog

    page = admin_web.get("/admin/constance/config/").content.decode()
    assert "RISK_W_BASE" in page
    config.RISK_W_BASE = 610
    log = AuditLog.objects.get(action="setting.changed", object_id="RISK_W_BASE")
    assert (log.before, log.after) == ({"value": 600}, {"value": 610})


def test_offer_withdraw_button_reopens_the_invoice(officer_web, borrower):
    from apps.invoices.services import invoice_add
    from apps.loans.models import Offer
    from apps.loans.services import offers_generate
    from tests.support.lending import ensure_products, invoice_payload

    ensure_products()
    verified_business(borrower)
    payload = invoice_payload()
    import datetime
    from decimal import Decimal

    data = {
        **payload,
        "invoice_date": datetime.date.fromisoformat(payload["invoice_date"]),
        "due_date": datetime.date.fromisoformat(payload["due_date"]),
        "amount": Decimal(payload["amount"]),
    }
    invoice = invoice_add(actor=borrower, **data)
    (offer,) = offers_generate(invoice_id=invoice.pk, actor=borrower)
    officer_web.post(f"/admin/loans/offer/{offer.pk}/transition/withdraw/", {"reason": "buyer disputes the invoice"})
    offer.refresh_from_db()
    invoice.refresh_from_db()
    assert (offer.status, invoice.status) == (Offer.Status.WITHDRAWN, "VERIFIED")


def test_recovery_complete_and_cancel_buttons(officer_web, borrower):
    from apps.collections.models import RecoveryAction
    from apps.collections.services import recovery_initiate

    loan = make_loan(borrower)
    close_day(days_after(loan, 1, 91))
    officer = User.objects.filter(role="OFFICER").first()
    first = recovery_initiate(loan_id=loan.pk, action_type="FIELD_VISIT", notes="", actor=officer)
    second = recovery_initiate(loan_id=loan.pk, action_type="LEGAL_NOTICE", notes="", actor=officer)
    page = officer_web.get(f"/admin/collections/recoveryaction/{first.pk}/change/").content.decode()
    assert "Complete recovery" in page and "Cancel recovery" in page
    officer_web.post(
        f"/admin/collections/recoveryaction/{first.pk}/transition/complete/", {"recovered_amount": "5000.00"}
    )
    officer_web.post(f"/admin/collections/recoveryaction/{second.pk}/transition/cancel/", {"reason": "duplicate"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.recovered_amount) == (RecoveryAction.Status.COMPLETED, 5000)
    assert second.status == RecoveryAction.Status.CANCELLED
