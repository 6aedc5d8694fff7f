"""Repayment use cases. Each module holds one family; import from here."""

from apps.repayments.services.payments import apply_to_installment, close_if_settled, emi_bounce, emi_pay, parse_amount
from apps.repayments.services.prepayment import loan_foreclose, loan_prepay

__all__ = [
    "apply_to_installment",
    "close_if_settled",
    "emi_bounce",
    "emi_pay",
    "loan_foreclose",
    "loan_prepay",
    "parse_amount",
]
