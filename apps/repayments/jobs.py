"""The nightly close of business as a job.

A business date is closed only after the one before it: when the date has moved on by several
days since the last successful close (a missed night, ops moving the date forward), every day
in between is closed in order, so classification history, NPA dates and the routing of
interest into suspense are exactly what running each night would have given.
"""

import datetime
from collections import Counter

from django.db.models import Max

from apps.core.jobs import job
from apps.core.models import JobRun
from apps.repayments.close_of_business import close_of_business

NAME = "npa_classification"


def days_to_close(business_date: datetime.date) -> list[datetime.date]:
    last = JobRun.objects.filter(name=NAME, status=JobRun.Status.SUCCEEDED, business_date__lt=business_date).aggregate(
        last=Max("business_date")
    )["last"]
    first = last + datetime.timedelta(days=1) if last else business_date
    return [first + datetime.timedelta(days=n) for n in range((business_date - first).days + 1)]


@job(NAME, description="Close of business: interest due, DPD, SMA/NPA classification (catching up missed days).")
def npa_classification(*, business_date):
    totals: Counter = Counter()
    days = days_to_close(business_date)
    for day in days:
        totals.update(close_of_business(day))
    return {**dict(totals), "days_closed": len(days)}
