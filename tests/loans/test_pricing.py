from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.loans.pricing import _terms, price_offers
from tests.support.lending import ensure_products

pytestmark = pytest.mark.django_db


def test_grade_b_invoice_of_one_lakh_with_collateral_gets_both_offers_to_the_paisa():
    product = ensure_products()
    secured, unsecured = price_offers(
        product, invoice_amount=Decimal("100000.00"), grade="B", free_collateral=Decimal("90000.00")
    )
    assert (secured.type, secured.principal, secured.annual_rate) == ("SECURED", Decimal("90000.00"), Decimal("15.00"))
    assert (secured.emi, secured.processing_fee, secured.fee_gst) == (
        Decimal("15663.04"),
        Decimal("1350.00"),
        Decimal("243.00"),
    )
    assert (unsecured.principal, unsecured.annual_rate, unsecured.emi) == (
        Decimal("75000.00"),
        Decimal("16.00"),
        Decimal("13089.77"),
    )
    assert (unsecured.processing_fee, unsecured.fee_gst) == (Decimal("1125.00"), Decimal("202.50"))


def test_no_secured_offer_when_collateral_falls_a_paisa_short():
    product = ensure_products()
    offers = price_offers(product, invoice_amount=Decimal("100000.00"), grade="A", free_collateral=Decimal("89999.99"))
    assert [offer.type for offer in offers] == ["UNSECURED"]


def test_grade_outside_the_bands_and_tiny_invoices_get_nothing():
    product = ensure_products()
    assert price_offers(product, invoice_amount=Decimal("100000.00"), grade="E", free_collateral=Decimal(0)) == []
    assert price_offers(product, invoice_amount=Decimal("1000.00"), grade="A", free_collateral=Decimal(0)) == []


def test_principal_is_capped_at_the_product_maximum():
    product = ensure_products()
    (offer,) = price_offers(product, invoice_amount=Decimal("99000000.00"), grade="A", free_collateral=Decimal(0))
    assert offer.principal == product.max_principal


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.decimals(min_value=Decimal("20000.00"), max_value=Decimal("5000000.00"), places=2),
    max_emi=st.decimals(min_value=Decimal("0.00"), max_value=Decimal("500000.00"), places=2),
    grade=st.sampled_from(["A", "B", "C", "D"]),
)
def test_an_offer_is_cut_to_the_largest_rupee_principal_whose_emi_fits(amount, max_emi, grade):
    product = ensure_products()
    free = Decimal(0)
    uncut = {o.type: o for o in price_offers(product, invoice_amount=amount, grade=grade, free_collateral=free)}
    cut = {
        o.type: o
        for o in price_offers(product, invoice_amount=amount, grade=grade, free_collateral=free, max_emi=max_emi)
    }
    for offer_type, offer in uncut.items():
        if offer.emi <= max_emi:
            assert cut[offer_type] == offer  # fits already: untouched
        elif offer_type in cut:
            fitted = cut[offer_type]
            assert fitted.emi <= max_emi < offer.emi and fitted.principal >= product.min_principal
            assert fitted.principal == fitted.principal.to_integral_value()
            # A rupee more would not fit.
            assert _terms(product, offer_type, fitted.principal + 1, fitted.annual_rate).emi > max_emi
        else:
            # Nothing worth lending fits: the minimum principal's EMI is already too much.
            assert _terms(product, offer_type, product.min_principal, offer.annual_rate).emi > max_emi
