"""The money rails' scheduled work."""

from apps.core.jobs import job
from apps.payments.intents import intents_expire_due
from apps.payments.mandates import mandates_present
from apps.payments.settlements import unsettled_repayments


@job("payment_intent_expiry", description="Payment pages that timed out unpaid are EXPIRED.")
def payment_intent_expiry(*, business_date):
    return {"intents_expired": intents_expire_due()}


@job("settlement_check", description="Repayments the rail collected over two days ago that no settlement confirmed.")
def settlement_check(*, business_date):
    return {"unsettled_repayments": unsettled_repayments(business_date).count()}


@job("mandate_presentation", description="Each unpaid installment due today with an active mandate, presented once.")
def mandate_presentation(*, business_date):
    return mandates_present(business_date)
