"""The ops worklists: each lists only the rows that need work, links each to its real page,
exports what it shows as CSV, runs its bulk action through the same service (audited), and
costs the same number of queries for one row or many."""

import datetime
from decimal import Decimal

import pytest
from constance.test import override_config
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditLog
from apps.core.admin_base import worklist_admins
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict
from apps.core.inr import inr
from apps.invoices.models import Invoice
from apps.kyc.models import Business
from apps.loans.models import Loan, LoanApplication
from apps.loans.providers import PayoutStatus
from apps.loans.services import offers_generate
from apps.loans.services import payouts as payouts_module
from apps.repayments.services import emi_pay
from tests.support.days import close_day, days_after, set_day
from tests.support.factories import BorrowerFactory
from tests.support.lending import ensure_products, make_loan, verified_business, verified_invoice
from tests.support.providers import ScriptedProvider

pytestmark = pytest.mark.django_db

KYC = "/admin/kyc/kycreviewitem/"
APPLICATIONS = "/admin/loans/loanapplication/"
PAYOUTS = "/admin/loans/payoutworkitem/"
DUE = "/admin/loans/dueinstallment/"
OVERDUE = "/admin/loans/overdueloan/"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


def _same_queries_for_more_rows(client, url, add_rows, *, at_most):
    """One row, then more: the page's query count must not grow with its rows (no N+1)."""
    client.get(url)  # warm the session and permission caches
    one = _queries(client, url)
    add_rows()
    many = _queries(client, url)
    assert many == one
    assert many <= at_most


def test_worklists_are_grouped_and_named_for_the_sidebar():
    titles = [str(m.model._meta.verbose_name_plural) for m in worklist_admins()]
    assert titles == [
        "Worklist: KYC to review",
        "Worklist: installments due today and this week",
        "Worklist: overdue loans by bucket",
        "Worklist: payouts pending or failed",
        "Worklist: repayments awaiting settlement",
    ]


# ---- KYC to review ------------------------------------------------------------------------


def _in_review(name):
    return verified_business(BorrowerFactory(), kyc_status=Business.KycStatus.MANUAL_REVIEW)


def test_kyc_worklist_lists_manual_reviews_oldest_first_without_bulk_approval(officer_web):
    first, second = _in_review("a"), _in_review("b")
    verified = verified_business(BorrowerFactory())
    page = officer_web.get(KYC).content.decode()
    assert first.legal_name in page and second.legal_name in page
    assert verified.legal_name not in page
    assert page.index(first.legal_name) < page.index(second.legal_name)
    assert f"/admin/kyc/business/{first.pk}/change/" in page  # the row opens the business page
    assert first.owner.phone in page
    assert 'name="action"' not in page  # approval needs a person to look: no bulk action
    csv = b"".join(officer_web.get(KYC + "export-csv/").streaming_content).decode()
    assert csv.count("\n") == 3 and first.gstin in csv and verified.gstin not in csv


def test_kyc_worklist_queries_do_not_grow_with_rows(officer_web):
    _in_review("a")
    _same_queries_for_more_rows(officer_web, KYC, lambda: [_in_review(str(n)) for n in range(5)], at_most=12)


# ---- Applications held for review (POST /offers/generate's REVIEW) ---------------------------


def _held_invoice(amount="100000.00"):
    ensure_products()
    borrower = BorrowerFactory()
    verified_business(borrower)
    invoice = verified_invoice(borrower, amount=amount)
    with override_config(RISK_REVIEW_AMOUNT=50000), pytest.raises(Conflict):
        offers_generate(invoice_id=invoice.pk, actor=borrower)
    return invoice


def test_a_review_decision_queues_an_application_with_its_reasons_and_officers_approve_in_bulk(officer_web):
    held, other = _held_invoice(), _held_invoice()
    borrower = BorrowerFactory()
    verified_business(borrower)
    not_held = verified_invoice(borrower)
    page = officer_web.get(APPLICATIONS).content.decode()
    assert held.invoice_number in page and other.invoice_number in page
    assert not_held.invoice_number not in page
    assert "above the automatic limit 50000" in page
    assert "₹90,000.00" in page  # the most the invoice carries: the secured advance, 90 % of ₹1,00,000
    csv = b"".join(officer_web.get(APPLICATIONS + "export-csv/").streaming_content).decode()
    assert csv.count("\n") == 3 and held.invoice_number in csv and "above the automatic limit" in csv

    applications = LoanApplication.objects.filter(invoice__in=[held, other])
    response = officer_web.post(
        APPLICATIONS,
        {
            "action": "approve_applications",
            "_selected_action": [str(a.pk) for a in applications],
            "apply": "1",
            "reason": "Known buyer",
        },
    )
    assert response.status_code == 302
    assert set(applications.values_list("status", "decision_reason")) == {("APPROVED", "Known buyer")}
    assert AuditLog.objects.filter(action="application.approved", reason="Known buyer").count() == 2
    assert set(Invoice.objects.filter(pk__in=[held.pk, other.pk]).values_list("status", flat=True)) == {"OFFERED"}
    assert held.invoice_number not in officer_web.get(APPLICATIONS).content.decode()


def test_the_applications_worklist_queries_do_not_grow_with_rows(officer_web):
    _held_invoice()
    _same_queries_for_more_rows(officer_web, APPLICATIONS, lambda: [_held_invoice() for _ in range(3)], at_most=12)


# ---- Payouts pending or failed -----------------------------------------------------------


@pytest.fixture
def pending_rail(monkeypatch):
    monkeypatch.setattr(payouts_module, "get_payout_provider", lambda: ScriptedProvider(*[PayoutStatus.PENDING] * 10))


def test_payout_worklist_lists_pending_and_failed_and_cancels_in_bulk(officer_web, pending_rail):
    pending = [make_loan() for _ in range(2)]
    page = officer_web.get(PAYOUTS).content.decode()
    for loan in pending:
        assert f"/admin/loans/loan/{loan.pk}/change/" in page
    assert "₹" in page and "PENDING" in page

    response = officer_web.post(
        PAYOUTS,
        {
            "action": "payout_failed",
            "_selected_action": [str(pending[0].pk)],
            "apply": "1",
            "reason": "Rail returned: account closed",
        },
    )
    assert response.status_code == 302
    pending[0].refresh_from_db()
    assert (pending[0].status, pending[0].payout_status) == (Loan.Status.CANCELLED, Loan.PayoutStatus.FAILED)
    assert AuditLog.objects.filter(object_id=str(pending[0].pk), reason="Rail returned: account closed").exists()
    failed_only = officer_web.get(PAYOUTS + "?payout_status=FAILED").content.decode()
    assert str(pending[0].pk) in failed_only and str(pending[1].pk) not in failed_only


def test_payout_worklist_leaves_out_paid_out_loans(officer_web):
    paid_out = make_loan()
    assert str(paid_out.pk) not in officer_web.get(PAYOUTS).content.decode()


def test_payout_worklist_queries_do_not_grow_with_rows(officer_web, pending_rail):
    make_loan()
    _same_queries_for_more_rows(officer_web, PAYOUTS, lambda: [make_loan() for _ in range(3)], at_most=12)


# ---- Installments due today and this week ----------------------------------------------


def test_due_worklist_lists_unpaid_installments_due_this_week_or_today(officer_web):
    loan = make_loan()
    first = loan.installments.get(number=1)
    set_day(first.due_date - datetime.timedelta(days=2))
    week = officer_web.get(DUE).content.decode()
    assert f"/admin/loans/loan/{loan.pk}/change/" in week
    owed = first.principal_due + first.interest_due + first.penalty_due
    assert inr(owed) in week and loan.borrower.phone in week
    assert str(loan.pk)[:8] not in officer_web.get(DUE + "?due=today").content.decode()
    set_day(first.due_date)
    assert inr(owed) in officer_web.get(DUE + "?due=today").content.decode()
    csv = b"".join(officer_web.get(DUE + "export-csv/?due=today").streaming_content).decode()
    assert csv.count("\n") == 2 and str(first.pk) in csv


def test_due_worklist_queries_do_not_grow_with_rows(officer_web):
    loan = make_loan()
    set_day(loan.installments.get(number=1).due_date)
    _same_queries_for_more_rows(officer_web, DUE, lambda: [make_loan() for _ in range(3)], at_most=12)


# ---- Overdue loans by bucket -------------------------------------------------------------


def test_overdue_worklist_shows_bucket_amount_overdue_and_phone(officer_web):
    late, current = make_loan(), make_loan()
    day = days_after(late, 1, 40)
    # The other borrower pays every installment due by then.
    for installment in current.installments.filter(due_date__lte=day).order_by("number"):
        set_day(installment.due_date)
        emi_pay(installment_id=installment.pk, actor=current.borrower)
    close_day(day)
    late.refresh_from_db()
    assert (late.asset_classification, late.dpd) == ("SMA_1", 40)
    owed = sum(
        (
            i.principal_due + i.interest_due + i.penalty_due - i.principal_paid - i.interest_paid - i.penalty_paid
            for i in late.installments.filter(due_date__lt=get_business_date()).exclude(status="PAID")
        ),
        Decimal(0),
    )
    page = officer_web.get(OVERDUE).content.decode()
    assert f"/admin/loans/loan/{late.pk}/change/" in page
    assert f"/admin/loans/loan/{current.pk}/change/" not in page
    assert inr(owed) in page and late.borrower.phone in page and "SMA-1" in page
    assert (
        f"/admin/loans/loan/{late.pk}/change/"
        not in officer_web.get(OVERDUE + "?asset_classification=NPA").content.decode()
    )
    csv = b"".join(officer_web.get(OVERDUE + "export-csv/").streaming_content).decode()
    assert csv.count("\n") == 2 and f"{owed:.2f}" in csv


def test_overdue_worklist_queries_do_not_grow_with_rows(officer_web):
    loans = [make_loan() for _ in range(4)]

    def overdue(some):
        Loan.objects.filter(pk__in=[loan.pk for loan in some]).update(
            status=Loan.Status.OVERDUE, asset_classification="SMA_0", dpd=10
        )

    overdue(loans[:1])
    _same_queries_for_more_rows(officer_web, OVERDUE, lambda: overdue(loans), at_most=12)


def test_the_sidebar_has_a_worklists_group_linking_each(officer_web):
    page = officer_web.get("/admin/").content.decode()
    assert "Worklists" in page
    for url in (KYC, APPLICATIONS, PAYOUTS, DUE, OVERDUE):
        assert f'href="{url}"' in page, url
