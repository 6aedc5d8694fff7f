from apps.core.jobs import job
from apps.loans.services import offers_expire_due, payouts_retry


@job("offer_expiry", description="Expire offers past their validity; their invoices may be offered again.")
def offer_expiry(*, business_date):
    # Offer validity is wall-clock time (DESIGN.md), so the business date does not enter here.
    return offers_expire_due()


@job("payout_retry", description="Payouts the rail never answered, sent again with the same reference.")
def payout_retry(*, business_date):
    return payouts_retry()
