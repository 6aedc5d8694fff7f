"""Repayment use cases. Each module holds one family; import from here."""

from apps.repayments.services.offline import offline_payment_record
from apps.repayments.services.payments import (
    apply_to_installment,
    bounce_charge,
    bounce_would_default,
    close_if_settled,
    emi_bounce,
    emi_pay,
    owed_on_installments,
    parse_amount,
    pay_oldest_first,
)
from apps.repayments.services.prepayment import loan_foreclose, loan_prepay
from apps.repayments.services.waivers import charge_waive, charges_owed

__all__ = [
    "apply_to_installment",
    "bounce_charge",
    "bounce_would_default",
    "charge_waive",
    "charges_owed",
    "close_if_settled",
    "emi_bounce",
    "emi_pay",
    "loan_foreclose",
    "loan_prepay",
    "offline_payment_record",
    "owed_on_installments",
    "parse_amount",
    "pay_oldest_first",
]
