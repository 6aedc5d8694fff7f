"""Moving the business date and closing days, as the lender's end-of-day does."""

import datetime

from apps.core.business_date import business_date_set
from apps.core.jobs_runner import run_job


def set_day(day: datetime.date):
    business_date_set(date=day)


def close_day(day: datetime.date):
    """Move to `day` and run its close of business (NPA classification); the job's counts."""
    set_day(day)
    run = run_job("npa_classification", business_date=day)
    assert run.status == "SUCCEEDED", run.error
    return run.counts


def days_after(loan, number: int, days: int) -> datetime.date:
    """The date `days` after the due date of installment `number` of `loan`."""
    return loan.installments.get(number=number).due_date + datetime.timedelta(days=days)
