import pytest

from tests.support.lending import add_collateral, ensure_products, invoice_payload, payout_account, verified_business


@pytest.fixture
def product(db):
    return ensure_products()


@pytest.fixture
def business(borrower, product):
    business = verified_business(borrower)
    payout_account(business)
    return business


@pytest.fixture
def invoice_id(borrower_client, business):
    response = borrower_client.post("/api/v1/invoices/add", invoice_payload(amount="100000.00"), format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def secured_invoice_id(borrower_client, business):
    add_collateral(business, value="500000.00")
    response = borrower_client.post("/api/v1/invoices/add", invoice_payload(amount="100000.00"), format="json")
    return response.json()["id"]
