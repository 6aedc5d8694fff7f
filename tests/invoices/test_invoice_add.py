import datetime

import pytest

from apps.audit.models import AuditLog
from apps.core.business_date import get_business_date
from apps.invoices.models import Invoice, financial_year
from apps.kyc.models import Business
from tests.support.lending import invoice_payload, verified_business
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/invoices/add"


@pytest.fixture
def business(borrower):
    return verified_business(borrower)


def test_a_verified_business_adds_an_invoice_that_the_sandbox_verifies(borrower_client, business):
    response = borrower_client.post(URL, invoice_payload(amount="100000.00"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "VERIFIED"
    assert body["amount"] == "100000.00"
    assert body["verification_reference"].startswith("SBXIRN")
    invoice = Invoice.objects.get(pk=body["id"])
    assert invoice.seller_gstin == business.gstin
    assert list(AuditLog.objects.filter(object_id=str(invoice.pk)).values_list("action", flat=True).order_by("at")) == [
        "invoice.uploaded",
        "invoice.verified",
    ]


@pytest.mark.parametrize("status", [Business.KycStatus.PENDING, Business.KycStatus.MANUAL_REVIEW])
def test_kyc_not_verified_is_409(borrower, borrower_client, status):
    verified_business(borrower, kyc_status=status)
    response = borrower_client.post(URL, invoice_payload(), format="json")
    assert response.status_code == 409
    assert Invoice.objects.count() == 0


def test_no_business_is_409(borrower_client):
    assert borrower_client.post(URL, invoice_payload(), format="json").status_code == 409


def test_the_same_invoice_again_in_the_same_financial_year_is_409(borrower_client, business):
    payload = invoice_payload(invoice_number="inv/2026/77")
    first = borrower_client.post(URL, payload, format="json")
    assert first.status_code == 201 and first.json()["invoice_number"] == "INV/2026/77"  # stored as GSTN compares
    again = borrower_client.post(URL, {**payload, "invoice_number": " INV/2026/77"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_invoice"
    assert Invoice.objects.count() == 1


def test_the_database_refuses_a_duplicate_that_slips_past_the_service(business):
    from django.db import IntegrityError

    fields = {
        "business": business,
        "seller_gstin": business.gstin,
        "invoice_number": "X1",
        "financial_year": "2026-27",
        "invoice_date": datetime.date(2026, 5, 1),
        "due_date": datetime.date(2026, 8, 1),
        "buyer_gstin": "29AAACK0000A1ZZ",
        "buyer_name": "B",
        "amount": 1,
    }
    Invoice.objects.create(**fields)
    with pytest.raises(IntegrityError, match="uq_invoice_seller_number_fy"):
        Invoice.objects.create(**fields)


class Days(int):
    """An offset from the business date, resolved inside the test (the database is not open at collection)."""


def _resolve(overrides: dict) -> dict:
    today = get_business_date()
    return {
        k: (today + datetime.timedelta(days=v)).isoformat() if isinstance(v, Days) else v for k, v in overrides.items()
    }


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"buyer_gstin": "27AAPFU0939F1ZX"}, "buyer_gstin"),
        ({"buyer_gstin": "not-a-gstin"}, "buyer_gstin"),
        ({"invoice_date": Days(1)}, "invoice_date"),
        ({"due_date": Days(-10), "invoice_date": Days(-5)}, "due_date"),
        ({"due_date": Days(-1), "invoice_date": Days(-30)}, "due_date"),
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"invoice_number": "INV 12*"}, "invoice_number"),
        ({"buyer_name": ""}, "buyer_name"),
        ({"invoice_date": "2026-13-01"}, "invoice_date"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(borrower_client, business, overrides, field):
    response = borrower_client.post(URL, invoice_payload(**_resolve(overrides)), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Invoice.objects.count() == 0


def test_buyer_cannot_be_the_seller(borrower_client, business):
    response = borrower_client.post(URL, invoice_payload(buyer_gstin=business.gstin), format="json")
    assert response.status_code == 400
    assert "buyer_gstin" in response.json()["errors"]


@pytest.mark.parametrize(("number", "status"), [("NOTFOUND-1", "REJECTED"), ("MISMATCH-1", "REJECTED")])
def test_sandbox_outcomes(borrower_client, business, number, status):
    response = borrower_client.post(URL, invoice_payload(invoice_number=number), format="json")
    assert response.status_code == 201
    assert response.json()["status"] == status
    assert response.json()["status_reason"]


def test_my_invoices_lists_only_mine_and_filters_by_status(borrower_client, business):
    borrower_client.post(URL, invoice_payload(), format="json")
    borrower_client.post(URL, invoice_payload(invoice_number="NOTFOUND-2"), format="json")
    other = make_user()
    verified_business(other)
    client_for(other).post(URL, invoice_payload(), format="json")

    mine = borrower_client.get("/api/v1/invoices/my").json()["results"]
    assert len(mine) == 2
    verified = borrower_client.get("/api/v1/invoices/my?status=VERIFIED").json()["results"]
    assert [row["status"] for row in verified] == ["VERIFIED"]
    assert borrower_client.get("/api/v1/invoices/my?status=NOPE").status_code == 400


def test_another_borrowers_invoice_is_404_but_staff_see_it(borrower_client, business, officer_client):
    other = make_user()
    verified_business(other)
    theirs = client_for(other).post(URL, invoice_payload(), format="json").json()["id"]
    assert borrower_client.get(f"/api/v1/invoices/{theirs}").status_code == 404
    assert officer_client.get(f"/api/v1/invoices/{theirs}").status_code == 200


def test_staff_cannot_add_invoices(officer_client):
    assert officer_client.post(URL, invoice_payload(), format="json").status_code == 403


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2027, 3, 31), "2026-27"),
        (datetime.date(2027, 4, 1), "2027-28"),
        (datetime.date(2026, 1, 5), "2025-26"),
    ],
)
def test_financial_year_runs_april_to_march(day, expected):
    assert financial_year(day) == expected
