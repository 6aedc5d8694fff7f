from apps.banking.services import consents_poll
from apps.banking.sync import bank_data_sync_due
from apps.core.jobs import job


@job("consents_poll", description="Asks the aggregator about every open consent and follows its answer.")
def consents_poll_job(*, business_date):
    return consents_poll()


@job("bank_data_sync", description="Fetches a day's bank data for every business with an active consent.")
def bank_data_sync_job(*, business_date):
    return bank_data_sync_due()
