"""Refinance: the other lenders' loans found in the business's bank data, set beside ours.

A loan whose statement shows its disbursal and numbers its EMIs ("EMI k OF n") has a rate that
can be worked out: the monthly rate at which n EMIs repay the principal (found by bisection,
in Decimal), and an outstanding that is what the EMIs still to come are worth at that rate. For
each such loan and each open product, the suggestion is our EMI on that outstanding over the
months it has left, at the rate our product gives the business's grade: what it saves a month,
and over the rest of the loan after our processing fee and its GST. Only savings are suggested.
"""

from dataclasses import dataclass
from decimal import Decimal

from apps.banking.analytics import ExternalLoan, external_loans
from apps.core.business_date import get_business_date
from apps.core.money import HUNDRED, ZERO, gst_on, round_money
from apps.loans.models import LoanProduct
from apps.loans.schedule import annuity, build_schedule, present_value
from apps.risk.selectors import credit_score_latest

TWELVE = Decimal(12)
_BISECTIONS = 80


def implied_monthly_rate(principal: Decimal, emi: Decimal, months: int) -> Decimal | None:
    """The rate at which `months` EMIs of `emi` repay `principal`; None if they repay less."""
    if emi * months < principal:
        return None
    low, high = Decimal(0), Decimal(1)  # 0% to 100% a month brackets every real loan
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if annuity(principal, middle, months) > emi:
            high = middle
        else:
            low = middle
    return (low + high) / 2


@dataclass(frozen=True)
class KnownLoan:
    lender: str
    emi: Decimal
    annual_rate: Decimal | None
    outstanding: Decimal | None
    months_left: int | None


def known(loan: ExternalLoan) -> KnownLoan:
    if not (loan.principal and loan.tenure_months and loan.paid is not None):
        return KnownLoan(loan.lender, loan.emi, None, None, None)
    try:
        monthly = implied_monthly_rate(loan.principal, loan.emi, loan.tenure_months)
    except ArithmeticError:  # figures no loan has (Decimal overflow): the rate is unknown
        monthly = None
    if monthly is None:
        return KnownLoan(loan.lender, loan.emi, None, None, None)
    left = max(loan.tenure_months - loan.paid, 0)
    outstanding = round_money(present_value(loan.emi, monthly, left)) if left else ZERO
    return KnownLoan(loan.lender, loan.emi, round_money(monthly * TWELVE * HUNDRED), outstanding, left)


def _suggestion(product: LoanProduct, grade: str, loan: KnownLoan) -> dict | None:
    rate = product.rate_for_grade(grade)
    if rate is None or loan.annual_rate is None or rate >= loan.annual_rate or not loan.months_left:
        return None
    if not product.min_principal <= loan.outstanding <= product.max_principal:
        return None
    schedule = build_schedule(product.interest_method, loan.outstanding, rate, loan.months_left, get_business_date())
    ours = sum((line.amount for line in schedule), ZERO)
    fee = round_money(loan.outstanding * product.processing_fee_pct / HUNDRED)
    theirs = loan.emi * loan.months_left
    total_saving = theirs - ours - fee - gst_on(fee, product.gst_rate_pct)
    monthly_saving = loan.emi - schedule[0].amount
    if total_saving <= 0:
        return None
    return {
        "lender": loan.lender,
        "product_id": product.pk,
        "annual_rate": rate,
        "emi": schedule[0].amount,
        "monthly_saving": monthly_saving,
        "total_saving": total_saving,
    }


def refinance_options(business) -> dict:
    """{"loans": [...], "suggestions": [...]} for GET /businesses/me/refinance."""
    loans = [known(loan) for loan in external_loans(business)]
    score = credit_score_latest(business=business)
    suggestions = []
    if score is not None:
        for product in LoanProduct.objects.filter(is_active=True).order_by("code"):
            suggestions += [s for loan in loans if (s := _suggestion(product, score.grade, loan))]
    return {
        "loans": [
            {"lender": loan.lender, "outstanding": loan.outstanding, "annual_rate": loan.annual_rate, "emi": loan.emi}
            for loan in loans
        ],
        "suggestions": sorted(suggestions, key=lambda s: -s["total_saving"]),
    }
