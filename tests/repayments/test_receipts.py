"""A receipt per repayment: a signed link to a reproducible PDF naming the loan, the split and
the bank reference; a borrower reaches only their own."""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from apps.repayments.receipt import build_receipt_pdf
from apps.repayments.services.receipts import receipt_key, receipt_terms
from tests.support.lending import make_loan
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db


def test_a_receipt_is_a_signed_link_to_the_same_pdf_every_time(borrower, borrower_client):
    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    response = borrower_client.post(f"/api/v1/repayments/emi/{first.pk}/pay", {"amount": "5000.00"}, format="json")
    assert response.status_code == 201, response.content
    repayment = loan.repayments.get()
    link = borrower_client.get(f"/api/v1/repayments/{repayment.pk}/receipt")
    assert link.status_code == 200, link.content
    body = link.json()
    pdf = borrower_client.get(body["url"])
    content = b"".join(pdf.streaming_content) if hasattr(pdf, "streaming_content") else pdf.content
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == body["sha256"]
    assert borrower_client.get(f"/api/v1/repayments/{repayment.pk}/receipt").json()["sha256"] == body["sha256"]
    assert default_storage.exists(receipt_key(repayment))
    terms = receipt_terms(repayment)
    assert (terms.amount, terms.penalty + terms.interest + terms.principal) == (Decimal("5000.00"), Decimal("5000.00"))
    assert terms.outstanding_after == loan.principal - repayment.principal
    assert build_receipt_pdf(terms) == content

    assert client_for(make_user()).get(f"/api/v1/repayments/{repayment.pk}/receipt").status_code == 404
