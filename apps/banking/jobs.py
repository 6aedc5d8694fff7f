from apps.banking.services import consents_poll
from apps.core.jobs import job


@job("consents_poll", description="Asks the aggregator about every open consent and follows its answer.")
def consents_poll_job(*, business_date):
    return consents_poll()
