"""Offer pricing as a pure function of the product, the invoice, the credit grade and collateral.

SECURED: a higher advance against the invoice and a rate discount, offered only when the
business's unpledged collateral covers the principal. UNSECURED: the lower advance, band rate.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from apps.core.money import HUNDRED, gst_on, round_money
from apps.loans.schedule import build_schedule

_ANY_DATE = datetime.date(2000, 1, 1)


# The priced terms an offer carries and the loan made from it copies (OfferTerms, Offer and Loan
# name them alike): one list, so a new term cannot be copied in one place and not another.
PRICED_TERMS = ("principal", "annual_rate", "tenure_months", "emi", "processing_fee", "fee_gst")


def priced_terms(source) -> dict:
    return {name: getattr(source, name) for name in PRICED_TERMS}


@dataclass(frozen=True)
class OfferTerms:
    type: str
    principal: Decimal
    annual_rate: Decimal
    tenure_months: int
    emi: Decimal
    processing_fee: Decimal
    fee_gst: Decimal


def _terms(product, offer_type: str, principal: Decimal, rate: Decimal) -> OfferTerms:
    # The amounts do not depend on the start date; any date gives the same first installment.
    schedule = build_schedule(product.interest_method, principal, rate, product.tenure_months, _ANY_DATE)
    fee = round_money(principal * product.processing_fee_pct / HUNDRED)
    return OfferTerms(
        type=offer_type,
        principal=principal,
        annual_rate=rate,
        tenure_months=product.tenure_months,
        emi=schedule[0].amount,
        processing_fee=fee,
        fee_gst=gst_on(fee, product.gst_rate_pct),
    )


def price_offers(product, *, invoice_amount: Decimal, grade: str, free_collateral: Decimal) -> list[OfferTerms]:
    """The offers this product makes for the invoice; empty when the grade is not lent to."""
    band = product.rate_for_grade(grade)
    if band is None:
        return []
    offers = []
    secured = min(round_money(invoice_amount * product.secured_advance_pct / HUNDRED), product.max_principal)
    if secured >= product.min_principal and free_collateral >= secured:
        rate = max(band - product.secured_rate_discount_pct, Decimal("0.00"))
        offers.append(_terms(product, "SECURED", secured, rate))
    unsecured = min(round_money(invoice_amount * product.unsecured_advance_pct / HUNDRED), product.max_principal)
    if unsecured >= product.min_principal:
        offers.append(_terms(product, "UNSECURED", unsecured, band))
    return offers
