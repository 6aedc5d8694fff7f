"""Refinance: the other lenders' loans in the bank data, their implied rate and outstanding,
and what our products would save."""

from decimal import Decimal

import pytest
from constance import config
from hypothesis import given
from hypothesis import strategies as st

from apps.loans.refinance import annuity, implied_monthly_rate, present_value
from apps.risk.services import credit_score_compute
from tests.support.banking import consents_approved, synced
from tests.support.lending import ensure_products, verified_business

pytestmark = pytest.mark.django_db


def test_loans_in_the_bank_data_and_the_saving_of_moving_them(borrower, borrower_client, client):
    ensure_products()
    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("HDFC", "SBI"))
    synced(borrower_client)
    config.RISK_W_BASE = 560
    assert credit_score_compute(business=business).grade in "CD"  # 18.50% or 22.00%
    # At C the saving on the EMIs left does not cover our processing fee and its GST; D is dearer.
    assert borrower_client.get("/api/v1/businesses/me/refinance").json()["suggestions"] == []
    config.RISK_W_BASE = 760
    grade = credit_score_compute(business=business).grade
    assert grade in "AB"  # 14.00% or 16.00%
    answer = borrower_client.get("/api/v1/businesses/me/refinance").json()
    loans = {loan["lender"]: loan for loan in answer["loans"]}
    # BAJAJ: 3,00,000 disbursed, "EMI k OF 24" of 15,417: 21% a year. TATA: no disbursal seen.
    assert loans["BAJAJ FINANCE LTD"]["annual_rate"] == "21.00"
    assert loans["BAJAJ FINANCE LTD"]["emi"] == "15415.70"
    assert loans["TATA CAPITAL LTD"] == {
        "lender": "TATA CAPITAL LTD",
        "outstanding": None,
        "annual_rate": None,
        "emi": "8250.00",
    }
    outstanding = Decimal(loans["BAJAJ FINANCE LTD"]["outstanding"])
    assert Decimal("100000.00") < outstanding < Decimal("300000.00")
    for suggestion in answer["suggestions"]:
        assert suggestion["lender"] == "BAJAJ FINANCE LTD"
        assert Decimal(suggestion["annual_rate"]) < Decimal("21.00")
        assert Decimal(suggestion["monthly_saving"]) == Decimal("15415.70") - Decimal(suggestion["emi"])
        assert Decimal(suggestion["total_saving"]) > 0
    (suggestion,) = answer["suggestions"]
    assert suggestion["annual_rate"] == {"A": "14.00", "B": "16.00"}[grade]


def test_no_bank_data_no_loans(borrower, borrower_client):
    verified_business(borrower)
    assert borrower_client.get("/api/v1/businesses/me/refinance").json() == {"loans": [], "suggestions": []}


@given(
    principal=st.integers(min_value=10_000, max_value=5_000_000).map(Decimal),
    annual=st.integers(min_value=1, max_value=4800).map(lambda bp: Decimal(bp) / 100),
    months=st.integers(min_value=1, max_value=120),
)
def test_the_implied_rate_is_the_rate_the_emi_was_made_with(principal, annual, months):
    monthly = annual / 1200
    emi = annuity(principal, monthly, months)
    found = implied_monthly_rate(principal, emi, months)
    assert abs(found - monthly) * 1200 < Decimal("0.0001")
    assert abs(present_value(emi, found, months) - principal) < Decimal("0.01")
