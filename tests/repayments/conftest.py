import datetime

import pytest

from apps.core.business_date import business_date_set, get_business_date
from apps.core.jobs_runner import run_job
from tests.support.lending import make_loan


@pytest.fixture
def loan(borrower):
    return make_loan(borrower)


def set_day(day: datetime.date):
    business_date_set(date=day)


def close_day(day: datetime.date):
    set_day(day)
    run = run_job("npa_classification", business_date=day)
    assert run.status == "SUCCEEDED", run.error
    return run.counts


def days_after(loan, number: int, days: int) -> datetime.date:
    return loan.installments.get(number=number).due_date + datetime.timedelta(days=days)


__all__ = ["close_day", "days_after", "get_business_date", "set_day"]
