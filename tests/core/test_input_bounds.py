"""Bad input is a 400 naming the field, changes nothing, and is never read as something else."""

import datetime

import pytest

from apps.core.business_date import get_business_date
from apps.repayments.models import Repayment
from tests.support.days import close_day
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


NOT_RUPEES = ["", " ", "\uff11\uff10", "1_0", "1e-2", "5.", ".5", "1.005", "-1", "0x10", " 10", True, [], {}]


@pytest.mark.parametrize("amount", NOT_RUPEES)
def test_a_payment_amount_that_is_not_plain_rupees_is_400_and_pays_nothing(borrower, borrower_client, amount):
    loan = make_loan(borrower)
    installment = loan.installments.get(number=1)
    response = borrower_client.post(f"/api/v1/repayments/emi/{installment.pk}/pay", {"amount": amount}, format="json")
    assert response.status_code == 400, (amount, response.content)
    assert list(response.json()["errors"]) == ["amount"]
    assert not Repayment.objects.filter(loan=loan).exists()


@pytest.mark.parametrize("amount", ["10", "10.5", "10.50", 10, 10.5])
def test_plain_rupees_are_accepted(borrower, borrower_client, amount):
    loan = make_loan(borrower)
    installment = loan.installments.get(number=1)
    response = borrower_client.post(f"/api/v1/repayments/emi/{installment.pk}/pay", {"amount": amount}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["amount"] in ("10.00", "10.50")


def test_an_absent_amount_pays_all_that_is_owed(borrower, borrower_client):
    loan = make_loan(borrower)
    installment = loan.installments.get(number=1)
    response = borrower_client.post(f"/api/v1/repayments/emi/{installment.pk}/pay", {}, format="json")
    assert response.status_code == 201
    assert response.json()["installment_status"] == "PAID"


@pytest.mark.parametrize("day", ["0631-05-05", "1899-12-31", "2100-01-01", "9999-12-31"])
def test_dates_outside_1900_to_2099_are_400(admin_client, borrower_client, day):
    before = get_business_date()
    response = admin_client.put("/api/v1/admin/business-date", {"business_date": day, "reason": "x"}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["business_date"]
    assert get_business_date() == before
    response = borrower_client.post(
        "/api/v1/invoices/add",
        {
            "invoice_number": "INV-1",
            "invoice_date": day,
            "due_date": "2027-01-01",
            "buyer_gstin": "29AAAPL1234C1Z5",
            "buyer_name": "x",
            "amount": "1000.00",
        },
        format="json",
    )
    assert response.status_code == 400 and "invoice_date" in response.json()["errors"]


def test_the_business_date_cannot_move_behind_a_closed_day(admin_client):
    loan = make_loan()
    closed = loan.installments.get(number=1).due_date + datetime.timedelta(days=3)
    close_day(closed)
    earlier = (closed - datetime.timedelta(days=1)).isoformat()
    response = admin_client.put(
        "/api/v1/admin/business-date", {"business_date": earlier, "reason": "fix"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["business_date"]
    assert get_business_date() == closed
    quote = admin_client.get(f"/api/v1/repayments/loan/{loan.pk}/foreclosure-quote").json()
    assert all(not value.startswith("-") for key, value in quote.items() if key != "valid_on")
    later = (closed + datetime.timedelta(days=1)).isoformat()
    ok = admin_client.put("/api/v1/admin/business-date", {"business_date": later, "reason": "next"}, format="json")
    assert ok.status_code == 200 and ok.json()["business_date"] == later
