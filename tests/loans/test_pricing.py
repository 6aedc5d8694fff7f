from decimal import Decimal

import pytest

from apps.loans.pricing import price_offers
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
