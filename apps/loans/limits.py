"""Exposure limits: how much a business may owe us, and how much all our borrowers may be owed
by one buyer.

- A business's sanctioned limit is an ADMIN's override when there is one (CreditLimit, with a
  reason); otherwise the limit of its latest grade (LIMIT_GRADE_* live settings; none for E),
  cut by its bank data when it shared some: the principal its affordable EMI repays over the
  product's tenure at its grade's rate.
- Each buyer GSTIN has a concentration limit across every borrower (BUYER_CONCENTRATION_LIMIT).
- Utilisation is the principal still owed on loans sanctioned or live.

An offer beyond either is not made, and a sanction beyond either is refused (409
`limit_exceeded` naming the limit). The sanction checks under two transaction-scoped advisory
locks, the business's then the buyer's, taken after the invoice and offer rows it locks: two
sanctions squeezing under one limit queue, and the second sees the first's loan.
"""

from dataclasses import dataclass
from decimal import Decimal

from constance import config
from django.db import connection
from django.db.models import Sum

from apps.banking.selectors import max_affordable_emi
from apps.core.errors import Conflict
from apps.core.money import ZERO, round_money
from apps.invoices.models import Invoice
from apps.loans.models import CreditLimit, Loan
from apps.loans.schedule import monthly_rate, present_value
from apps.loans.selectors import loan_product_active
from apps.risk.selectors import credit_score_latest

# Principal is committed from sanction (the payout may still be on its way) until it is repaid.
COMMITTED = (Loan.Status.SANCTIONED, *Loan.LIVE_STATUSES)


@dataclass(frozen=True)
class Limit:
    sanctioned: Decimal
    utilised: Decimal
    source: str  # "override", "grade" or "bank data"

    @property
    def available(self) -> Decimal:
        return max(self.sanctioned - self.utilised, ZERO)


def _owed(loans) -> Decimal:
    return loans.filter(status__in=COMMITTED).aggregate(s=Sum("outstanding_principal"))["s"] or ZERO


def business_utilised(business) -> Decimal:
    return _owed(Loan.objects.filter(business=business))


def buyer_utilised(buyer_gstin: str) -> Decimal:
    return _owed(Loan.objects.filter(invoice__buyer_gstin=buyer_gstin))


def business_limit(business) -> Limit:
    utilised = business_utilised(business)
    override = CreditLimit.objects.filter(business=business).first()
    if override is not None:
        return Limit(override.amount, utilised, "override")
    score = credit_score_latest(business=business)
    grade = score.grade if score else None
    by_grade = Decimal(getattr(config, f"LIMIT_GRADE_{grade}", 0)) if grade else ZERO
    emi = max_affordable_emi(business)
    product = loan_product_active()
    if emi is not None and product is not None:
        by_bank = _principal_repaid_by(emi, product.rate_for_grade(grade) if grade else None, product.tenure_months)
        if by_bank < by_grade:
            return Limit(by_bank, utilised, "bank data")
    return Limit(by_grade, utilised, "grade")


def _principal_repaid_by(emi: Decimal, annual_rate: Decimal | None, months: int) -> Decimal:
    """The principal `months` EMIs of `emi` repay at `annual_rate`: their present value."""
    return round_money(present_value(emi, monthly_rate(annual_rate or ZERO), months))


def buyer_limit(buyer_gstin: str) -> Limit:
    return Limit(Decimal(config.BUYER_CONCENTRATION_LIMIT), buyer_utilised(buyer_gstin), "buyer")


def limits_lock(business, buyer_gstin: str) -> None:
    """Serialise every sanction against one business's limit and one buyer's, until commit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"limit:business:{business.pk}"])
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"limit:buyer:{buyer_gstin}"])


def limits_room(business, buyer_gstin: str) -> tuple[Limit, Limit]:
    return business_limit(business), buyer_limit(buyer_gstin)


def limit_exceeded(name: str, limit: Limit) -> Conflict:
    """409 `limit_exceeded` naming the limit ("business" or "buyer") and what is left of it."""
    return Conflict(
        f"That is beyond the {name} limit: {limit.available} of {limit.sanctioned} is available.",
        code="limit_exceeded",
        extra={"limit": name, "available": str(limit.available), "sanctioned": str(limit.sanctioned)},
    )


def limits_check(business, buyer_gstin: str, principal: Decimal) -> None:
    """409 `limit_exceeded` when lending `principal` more would pass either limit."""
    mine, theirs = limits_room(business, buyer_gstin)
    for name, limit in (("business", mine), ("buyer", theirs)):
        if principal > limit.available:
            raise limit_exceeded(name, limit)


BUYERS_SHOWN = 50


def _owed_by_buyer(loans, buyers) -> dict:
    rows = (
        loans.filter(status__in=COMMITTED, invoice__buyer_gstin__in=buyers)
        .values("invoice__buyer_gstin")
        .annotate(owed=Sum("outstanding_principal"))
    )
    return {row["invoice__buyer_gstin"]: row["owed"] for row in rows}


def limits_of(business, *, book_wide: bool = True) -> dict:
    """What GET /businesses/{id}/limits answers: the business's limit and each of its buyers'.
    A buyer's utilisation is book-wide for ops; a borrower sees only their own against it (what
    other borrowers owe is not theirs to read). A fixed number of queries, whatever the buyers."""
    mine = business_limit(business)
    invoices = Invoice.objects.filter(business=business).order_by("buyer_gstin")
    buyers = list(invoices.values_list("buyer_gstin", flat=True).distinct()[:BUYERS_SHOWN])
    loans = Loan.objects.all() if book_wide else Loan.objects.filter(business=business)
    owed = _owed_by_buyer(loans, buyers)
    ceiling = Decimal(config.BUYER_CONCENTRATION_LIMIT)
    return {
        "sanctioned_limit": mine.sanctioned,
        "utilised": mine.utilised,
        "available": mine.available,
        "source": mine.source,
        "buyer_limits": [
            {"buyer_gstin": gstin, "limit": ceiling, "utilised": owed.get(gstin, ZERO)} for gstin in buyers
        ],
    }
