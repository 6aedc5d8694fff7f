"""Splitting a payment over what an installment owes, in the product's order. Pure functions."""

from dataclasses import dataclass
from decimal import Decimal

from apps.core.money import ZERO

# The parts, in the default order; a product may order them otherwise (LoanProduct.allocation_order).
from apps.loans.models import ALLOCATION_PARTS as PARTS


@dataclass(frozen=True)
class Allocation:
    penalty: Decimal = ZERO
    interest: Decimal = ZERO
    principal: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.penalty + self.interest + self.principal

    def as_dict(self) -> dict:
        return {"penalty": self.penalty, "interest": self.interest, "principal": self.principal}


def allocate(amount: Decimal, owed: dict, order=PARTS) -> Allocation:
    """Fill each part of `owed` in `order` until `amount` is spent; never more than is owed."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if amount > sum(owed.values(), ZERO):
        raise ValueError("amount exceeds what is owed")
    remaining, parts = amount, {}
    for part in order:
        take = min(remaining, max(owed.get(part, ZERO), ZERO))
        parts[part] = take
        remaining -= take
    return Allocation(**parts)
