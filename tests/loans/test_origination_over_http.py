"""The whole origination path driven only through HTTP: OTP login to a disbursed loan."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from apps.demo.identifiers import make_aadhaar, make_gstin, make_pan
from tests.support.lending import ensure_products, invoice_payload

pytestmark = pytest.mark.django_db


def test_from_otp_login_to_a_disbursed_loan_with_its_schedule(settings):
    settings.SANDBOX = True
    settings.OTP_TEST_CODE = "424242"
    ensure_products()
    client = APIClient()
    phone = "+919876501234"

    sent = client.post("/api/v1/auth/otp/send", {"phone": phone}, format="json")
    assert sent.status_code == 200, sent.content
    verified = client.post(
        "/api/v1/auth/otp/verify",
        {"request_id": sent.json()["request_id"], "phone": phone, "otp": "424242"},
        format="json",
    )
    assert verified.status_code == 200, verified.content
    assert verified.json()["user"]["role"] == "BORROWER"
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {verified.json()['access']}")

    pan = make_pan(4242)
    onboard = client.post(
        "/api/v1/kyc/onboard",
        {
            "legal_name": "Meera Textiles Private Limited",
            "owner_name": "Meera Shah",
            "gstin": make_gstin(pan, "24"),
            "pan": pan,
            "aadhaar": make_aadhaar(4242),
            "address": "4 Ring Road, Surat",
        },
        format="json",
    )
    assert onboard.status_code == 201, onboard.content
    business = onboard.json()
    assert business["kyc_status"] == "VERIFIED"

    collateral = client.post(
        f"/api/v1/businesses/{business['id']}/collaterals",
        {"type": "FIXED_DEPOSIT", "description": "FD 1234", "value": "200000.00"},
        format="json",
    )
    assert collateral.status_code == 201, collateral.content

    # The payout needs somewhere to go: the penny drop verifies the account by the legal name.
    account = client.post(
        "/api/v1/businesses/me/bank-accounts",
        {"account_number": "50100098765432", "ifsc": "HDFC0001234", "holder_name": business["legal_name"]},
        format="json",
    )
    assert account.status_code == 201 and account.json()["status"] == "VERIFIED", account.content

    invoice = client.post("/api/v1/invoices/add", invoice_payload(amount="200000.00"), format="json")
    assert invoice.status_code == 201, invoice.content
    assert invoice.json()["status"] == "VERIFIED"

    offers = client.post("/api/v1/offers/generate", {"invoice_id": invoice.json()["id"]}, format="json")
    assert offers.status_code == 201, offers.content
    by_type = {offer["type"]: offer for offer in offers.json()["offers"]}
    assert set(by_type) == {"SECURED", "UNSECURED"}

    sanctioned = client.post(
        "/api/v1/loans/sanction",
        {"offer_id": by_type["SECURED"]["id"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="e2e-sanction-1",
    )
    assert sanctioned.status_code == 201, sanctioned.content
    loan = sanctioned.json()
    assert loan["status"] == "ACTIVE"
    assert loan["principal"] == "180000.00"

    detail = client.get(f"/api/v1/loans/{loan['id']}").json()
    assert detail["outstanding_principal"] == "180000.00"
    emis = client.get(f"/api/v1/repayments/loan/{loan['id']}/emis").json()
    assert len(emis) == loan["tenure_months"]
    assert sum(Decimal(row["principal_due"]) for row in emis) == Decimal("180000.00")
    contract = client.get(f"/api/v1/loans/{loan['id']}/contract")
    assert contract.status_code == 200
    assert len(contract.json()["sha256"]) == 64
