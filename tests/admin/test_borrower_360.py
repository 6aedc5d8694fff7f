"""Finding a borrower from any page, and the borrower 360."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.inr import inr
from apps.kyc.models import Business
from apps.repayments.services import emi_pay
from tests.support.factories import BorrowerFactory
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db

FIND = "/admin/find/"


@pytest.fixture
def loan():
    return make_loan(BorrowerFactory(phone="+919876501234"), amount="200000.00")


def _360(business) -> str:
    return f"/admin/borrowers/{business.pk}/"


@pytest.mark.parametrize("term", ["+919876501234", "9876501234", "98765 01234", "+91 98765-01234"])
def test_a_phone_in_any_common_form_opens_the_360(officer_web, loan, term):
    response = officer_web.get(FIND, {"q": term})
    assert response.status_code == 302 and response["Location"] == _360(loan.business)


def test_gstin_and_pan_in_any_case_open_the_360(officer_web, loan):
    for term in (loan.business.gstin.lower(), loan.business.pan.lower(), f"  {loan.business.gstin}  "):
        response = officer_web.get(FIND, {"q": term})
        assert response["Location"] == _360(loan.business), term


def test_a_loan_reference_lists_the_loan_and_its_borrower(officer_web, loan):
    page = officer_web.get(FIND, {"q": loan.reference.lower()}).content.decode()
    assert f'<span class="ref">{loan.reference}</span>' in page
    assert _360(loan.business) in page


def test_an_application_reference_opens_the_borrowers_360(officer_web, loan):
    response = officer_web.get(FIND, {"q": loan.invoice.reference})
    assert response["Location"] == _360(loan.business)


def test_a_name_lists_the_borrowers_it_starts(officer_web, loan):
    other = make_loan(amount="100000.00").business
    Business.objects.filter(pk=other.pk).update(legal_name="Shakti Textiles LLP")
    Business.objects.filter(pk=loan.business.pk).update(legal_name="Shakti Fabrics Private Limited")
    page = officer_web.get(FIND, {"q": "shakti"}).content.decode()
    assert "Shakti Fabrics Private Limited" in page and "Shakti Textiles LLP" in page
    assert "Found by name" in page
    nobody = officer_web.get(FIND, {"q": "nobody by this name"}).content.decode()
    assert "Nobody found" in nobody


def test_bad_input_is_not_an_error(officer_web):
    for term in ("", "%", "'; drop table", "\u0905\u092e\u093f\u0924", "9" * 300):
        assert officer_web.get(FIND, {"q": term}).status_code == 200, term


def test_the_search_box_is_on_every_page(officer_web, loan):
    for url in ("/admin/", "/admin/loans/loan/", f"/admin/loans/loan/{loan.pk}/change/"):
        assert 'id="borrower-search"' in officer_web.get(url).content.decode(), url


def test_the_360_shows_every_section_linked_to_its_page(officer_web, loan):
    installment = loan.installments.order_by("number").first()
    emi_pay(installment_id=installment.pk, actor=loan.borrower)
    page = officer_web.get(_360(loan.business)).content.decode()
    for section in ("kyc", "score", "loans", "invoices", "offers", "repayments", "bounces", "reminders", "documents"):
        assert f'id="b360-{section}"' in page, section
    assert f"/admin/loans/loan/{loan.pk}/change/" in page and loan.reference in page
    assert f"/admin/invoices/invoice/{loan.invoice_id}/change/" in page
    assert f"/admin/loans/offer/{loan.offer_id}/change/" in page
    repayment = loan.repayments.get()
    assert f"/admin/repayments/repayment/{repayment.pk}/change/" in page
    assert inr(repayment.amount) in page and inr(loan.principal) in page
    assert "loan.sanctioned" in page and "loan.disbursed" in page


def test_the_360_costs_the_same_queries_for_one_loan_or_many(officer_web, loan):
    officer_web.get(_360(loan.business))  # warm the per-process caches (content types, settings)
    with CaptureQueriesContext(connection) as one:
        officer_web.get(_360(loan.business))
    for _ in range(3):
        make_loan(loan.borrower, amount="100000.00")
    with CaptureQueriesContext(connection) as four:
        page = officer_web.get(_360(loan.business)).content.decode()
    assert page.count("LN-") >= 4
    assert len(four) == len(one)


def test_staff_only(client, loan):
    client.force_login(loan.borrower)
    assert client.get(_360(loan.business)).status_code == 302  # to the admin login
    assert client.get(FIND, {"q": "x"}).status_code == 302
