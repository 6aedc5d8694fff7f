"""The money rails' scheduled work."""

from apps.core.jobs import job
from apps.payments.intents import intents_expire_due


@job("payment_intent_expiry", description="Payment pages that timed out unpaid are EXPIRED.")
def payment_intent_expiry(*, business_date):
    return {"intents_expired": intents_expire_due()}
