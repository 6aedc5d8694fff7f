"""Exposure limits: a business's sanctioned limit (grade, bank data, an ADMIN's override) and a
buyer's concentration limit across borrowers; offers and sanctions beyond either are a 409
naming the limit, and two sanctions racing at a limit give one loan."""

import threading
from decimal import Decimal

import pytest
from constance import config
from django.db import connection
from django.urls import reverse

from apps.banking.models import CashFlowSummary
from apps.core.errors import Forbidden
from apps.loans.models import Loan
from apps.loans.services.limits import credit_limit_set
from tests.support.lending import (
    buyer_gstin,
    ensure_products,
    generate,
    invoice_payload,
    make_loan,
    payout_account,
    verified_business,
)
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db
SANCTION = "/api/v1/loans/sanction"
WHY = "credit committee minute 42"


def _limits_url(user):
    from apps.kyc.models import Business

    return f"/api/v1/businesses/{Business.objects.get(owner=user).pk}/limits"


def _invoice(client, **fields):
    answer = client.post("/api/v1/invoices/add", invoice_payload(**fields), format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def test_the_limit_follows_the_grade_and_shows_what_is_used(borrower, borrower_client, officer_client, admin_user):
    loan = make_loan(borrower)
    business = loan.business
    limits = borrower_client.get(f"/api/v1/businesses/{business.pk}/limits").json()
    grade = loan.offer.credit_grade
    expected = Decimal(getattr(config, f"LIMIT_GRADE_{grade}"))
    assert (limits["source"], Decimal(limits["sanctioned_limit"])) == ("grade", expected)
    assert Decimal(limits["utilised"]) == loan.outstanding_principal == Decimal("75000.00")
    assert Decimal(limits["available"]) == expected - Decimal("75000.00")
    (buyer,) = limits["buyer_limits"]
    assert buyer == {"buyer_gstin": loan.invoice.buyer_gstin, "limit": "20000000.00", "utilised": "75000.00"}
    assert officer_client.get(f"/api/v1/businesses/{business.pk}/limits").status_code == 200
    assert client_for(make_user()).get(f"/api/v1/businesses/{business.pk}/limits").status_code == 404

    # Bank data that affords less cuts it; an ADMIN's override, with a reason, replaces both.
    CashFlowSummary.objects.create(
        business=business, as_of=loan.created_at, months=12, average_monthly_inflow=0, average_balance=0,
        emi_obligations=0, bounced_debits=0, max_affordable_emi=Decimal("20000.00"),
    )  # fmt: skip
    cut = borrower_client.get(f"/api/v1/businesses/{business.pk}/limits").json()
    # What six EMIs of 20,000 repay at the grade's rate: their present value, not 1,20,000.
    monthly = loan.product.rate_for_grade(grade) / 1200
    repaid = (Decimal("20000") * (1 - (1 + monthly) ** -6) / monthly).quantize(Decimal("0.01"))
    assert (cut["source"], Decimal(cut["sanctioned_limit"])) == ("bank data", repaid)
    assert Decimal("110000") < repaid < Decimal("120000")
    with pytest.raises(Forbidden):
        credit_limit_set(business=business, amount=Decimal("1"), reason=WHY, actor=make_user())
    credit_limit_set(business=business, amount=Decimal("90000"), reason=WHY, actor=admin_user)
    overridden = borrower_client.get(f"/api/v1/businesses/{business.pk}/limits").json()
    assert (overridden["source"], overridden["sanctioned_limit"], overridden["available"]) == (
        "override",
        "90000.00",
        "15000.00",
    )
    # An offer beyond what is left is not made.
    refused = borrower_client.post("/api/v1/offers/generate", {"invoice_id": _invoice(borrower_client)})
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["limit"], refused.json()["available"]) == (
        "limit_exceeded",
        "business",
        "15000.00",
    )
    credit_limit_set(business=business, amount=None, reason=WHY, actor=admin_user)
    assert borrower_client.get(f"/api/v1/businesses/{business.pk}/limits").json()["source"] == "bank data"


def test_a_buyer_s_concentration_limit_holds_across_borrowers(borrower, borrower_client):
    first = make_loan(borrower)
    config.BUYER_CONCENTRATION_LIMIT = 100000
    other = make_user()
    payout_account(verified_business(other))
    client = client_for(other)
    same_buyer = _invoice(client, buyer_gstin=first.invoice.buyer_gstin)
    refused = client.post("/api/v1/offers/generate", {"invoice_id": same_buyer})
    assert refused.status_code == 409 and refused.json()["limit"] == "buyer"
    assert refused.json()["available"] == "25000.00"  # 1,00,000 less the 75,000 already lent against it
    assert "UNSECURED" in generate(client, _invoice(client, buyer_gstin=buyer_gstin()))
    # A borrower reads only their own exposure to a buyer, never what others owe against it.
    own = {b["buyer_gstin"]: b for b in client.get(_limits_url(other)).json()["buyer_limits"]}
    assert own[first.invoice.buyer_gstin]["utilised"] == "0.00"


@pytest.mark.django_db(transaction=True)
def test_two_sanctions_racing_at_the_limit_give_one_loan_and_one_409(ledger_chart, admin_user):
    ensure_products()
    borrower = make_user()
    business = verified_business(borrower)
    payout_account(business)
    client = client_for(borrower)
    offers = [generate(client, _invoice(client))["UNSECURED"]["id"] for _ in range(2)]
    # Room for one 75,000 loan, not two.
    credit_limit_set(business=business, amount=Decimal("100000"), reason=WHY, actor=admin_user)
    barrier, results = threading.Barrier(2), []

    def attempt(offer_id):
        try:
            barrier.wait()
            answer = client_for(borrower).post(SANCTION, {"offer_id": offer_id}, format="json")
            results.append((answer.status_code, answer.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(offer_id,)) for offer_id in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [(201, None), (409, "limit_exceeded")]
    assert Loan.objects.filter(business=business).count() == 1


def test_the_borrower_360_shows_the_limit_and_its_buyers(borrower, officer_web):
    loan = make_loan(borrower)
    page = officer_web.get(reverse("admin:borrower_360", args=[loan.business_id])).content.decode()
    assert 'id="b360-limits"' in page
    assert "₹75,000.00" in page and loan.invoice.buyer_gstin in page and "₹2,00,00,000.00" in page


def test_an_application_beyond_the_limit_is_409_naming_it_and_stays_a_draft(borrower, borrower_client, admin_user):
    from apps.loans.models import LoanApplication

    loan = make_loan(borrower)
    credit_limit_set(business=loan.business, amount=Decimal("100000"), reason=WHY, actor=admin_user)
    body = {
        "invoice_id": _invoice(borrower_client),
        "product_id": str(loan.product_id),
        "requested_amount": "30000.00",  # 25,000.00 is left of the limit
        "tenure_months": loan.product.tenure_months,
    }
    draft = borrower_client.post("/api/v1/loan-applications", body, format="json").json()
    refused = borrower_client.post(f"/api/v1/loan-applications/{draft['id']}/submit")
    assert refused.status_code == 409, refused.content
    assert (refused.json()["code"], refused.json()["limit"], refused.json()["available"]) == (
        "limit_exceeded",
        "business",
        "25000.00",
    )
    assert LoanApplication.objects.get(pk=draft["id"]).status == "DRAFT"
    fits = borrower_client.patch(f"/api/v1/loan-applications/{draft['id']}", {"requested_amount": "25000.00"})
    assert fits.status_code == 200
    assert borrower_client.post(f"/api/v1/loan-applications/{draft['id']}/submit").json()["status"] == "APPROVED"
