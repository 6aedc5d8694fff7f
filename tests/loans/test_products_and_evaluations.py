"""The product catalogue over the API, and a staff risk evaluation that stores nothing."""

from decimal import Decimal

import pytest

from apps.audit.models import AuditLog
from apps.risk.models import CreditScore
from tests.support.lending import ensure_products, verified_business

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_active_products_with_their_ranges(borrower_client, api_client):
    product = ensure_products()
    listed = borrower_client.get("/api/v1/products").json()
    assert listed == [
        {
            "id": str(product.pk),
            "code": "INV-STD-6M",
            "name": product.name,
            "min_amount": "10000.00",
            "max_amount": "5000000.00",
            "min_tenure_months": 6,
            "max_tenure_months": 6,
            "annual_rate_min": "14.00",
            "annual_rate_max": "22.00",
            "processing_fee_pct": "1.50",
            "penal_rate_pct": str(product.penal_rate_pct),
            "interest_method": product.interest_method,
            "bounce_charge": str(product.bounce_charge),
        }
    ]
    assert borrower_client.get(f"/api/v1/products?product_id={product.pk}").json() == listed
    assert borrower_client.get("/api/v1/products?product_id=00000000-0000-0000-0000-000000000000").json() == []
    assert borrower_client.get(f"/api/v1/products/{product.pk}").json() == listed[0]
    product.is_active = False
    product.save()
    assert borrower_client.get("/api/v1/products").json() == []
    assert borrower_client.get(f"/api/v1/products/{product.pk}").status_code == 404
    assert api_client.get("/api/v1/products").status_code == 401
    assert borrower_client.get("/api/v1/products?product_id=nope").status_code == 400


def test_a_staff_evaluation_decides_and_writes_nothing(borrower, officer_client, borrower_client):
    business = verified_business(borrower)
    scores, audits = CreditScore.objects.count(), AuditLog.objects.count()
    answer = officer_client.post(
        "/api/v1/risk/evaluations", {"business_id": str(business.pk), "amount": "3000000.00"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["decision"] == "REVIEW" and body["grade"] in "ABC"
    assert body["reasons"] == ["amount 3000000.00 above the automatic limit 2500000"]
    assert any(f["name"] == "banking" for f in body["factors"])
    assert (CreditScore.objects.count(), AuditLog.objects.count()) == (scores, audits)
    small = officer_client.post(
        "/api/v1/risk/evaluations", {"business_id": str(business.pk), "amount": "50000"}, format="json"
    ).json()
    assert small["decision"] == "APPROVE" and small["reasons"] == []
    for bad, field in (
        ({"business_id": str(business.pk), "amount": "0"}, "amount"),
        ({"business_id": str(business.pk), "amount": "1.234"}, "amount"),
        ({"business_id": "00000000-0000-0000-0000-000000000000", "amount": "100"}, "business_id"),
        ({"amount": "100"}, "business_id"),
    ):
        refused = officer_client.post("/api/v1/risk/evaluations", bad, format="json")
        assert refused.status_code == 400 and field in str(refused.json()), refused.content
    assert borrower_client.post("/api/v1/risk/evaluations", {}, format="json").status_code == 403
    assert CreditScore.objects.count() == scores
    assert Decimal(small["score"]) > 0
