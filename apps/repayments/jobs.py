from apps.core.jobs import job
from apps.repayments.close_of_business import close_of_business


@job("npa_classification", description="Close of business: interest due, DPD, SMA/NPA classification.")
def npa_classification(*, business_date):
    return close_of_business(business_date)
