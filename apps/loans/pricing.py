"""Offer pricing as a pure function of the product, the invoice, the credit grade and collateral.

SECURED: a higher advance against the invoice and a rate discount, offered only when the
business's unpledged collateral covers the principal. UNSECURED: the lower advance, band rate.
Either is cut, to the rupee, until its EMI fits `max_emi` (what the business's bank data says
it can afford, apps/banking/analytics.py), and dropped when that leaves less than the minimum.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

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


def _fitted(product, offer_type: str, principal: Decimal, rate: Decimal, max_emi: Decimal | None):
    """The terms for `principal`, or for the largest whole-rupee principal below it whose EMI is
    at most `max_emi`; None when that is under the product's minimum."""
    terms = _terms(product, offer_type, principal, rate)
    if max_emi is not None and terms.emi > max_emi:
        emi = lambda p: _terms(product, offer_type, p, rate).emi  # noqa: E731
        # The EMI is proportional to the principal but for its rounding to the paisa: scale,
        # then step to the last rupee that fits.
        fit = (principal * max_emi / terms.emi).quantize(Decimal(1), rounding=ROUND_FLOOR)
        while fit >= product.min_principal and emi(fit) > max_emi:
            fit -= 1
        while fit + 1 < principal and emi(fit + 1) <= max_emi:
            fit += 1
        if fit < product.min_principal:
            return None
        terms = _terms(product, offer_type, round_money(fit), rate)
    return terms if terms.principal >= product.min_principal else None


def price_offers(
    product,
    *,
    invoice_amount: Decimal,
    grade: str,
    free_collateral: Decimal,
    max_emi: Decimal | None = None,
    requested: Decimal | None = None,
) -> list[OfferTerms]:
    """The offers this product makes for the invoice; empty when the grade is not lent to, or
    no principal worth lending has an EMI within `max_emi`. An application's `requested`
    amount caps the principal as the product's maximum does."""
    band = product.rate_for_grade(grade)
    if band is None:
        return []
    ceiling = min(product.max_principal, requested) if requested is not None else product.max_principal
    offers = []
    secured = min(round_money(invoice_amount * product.secured_advance_pct / HUNDRED), ceiling)
    if secured >= product.min_principal and free_collateral >= secured:
        rate = max(band - product.secured_rate_discount_pct, Decimal("0.00"))
        offers.append(_fitted(product, "SECURED", secured, rate, max_emi))
    unsecured = min(round_money(invoice_amount * product.unsecured_advance_pct / HUNDRED), ceiling)
    if unsecured >= product.min_principal:
        offers.append(_fitted(product, "UNSECURED", unsecured, band, max_emi))
    return [offer for offer in offers if offer is not None]
