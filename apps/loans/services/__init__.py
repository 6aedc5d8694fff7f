"""Loan use cases. Each module holds one family; import from here."""

from apps.loans.services.applications import offers_generate
from apps.loans.services.offers import offer_withdraw, offers_expire_due
from apps.loans.services.override import loan_override
from apps.loans.services.payouts import loan_payout_confirm, payout_settle, payouts_retry
from apps.loans.services.sanction import loan_sanction

__all__ = [
    "loan_override",
    "loan_payout_confirm",
    "loan_sanction",
    "offer_withdraw",
    "offers_expire_due",
    "offers_generate",
    "payout_settle",
    "payouts_retry",
]
