"""The nightly close of business as a job.

A business date is closed only after the one before it: when the date has moved on by several
days since the last successful close (a missed night, ops moving the date forward), every day
in between is closed in order, so classification history, NPA dates and the routing of
interest into suspense are exactly what running each night would have given.
"""

import datetime
from collections import Counter

from apps.core.business_date import last_closed_day
from apps.core.errors import Conflict
from apps.core.jobs import job
from apps.repayments.close_of_business import close_of_business

NAME = "npa_classification"


def days_to_close(business_date: datetime.date) -> list[datetime.date]:
    """Every day after the last one really closed, through `business_date`.

    Running again for a day already closed closes that one day again, which changes nothing;
    a day before the last closed one is refused, since closing it would walk DPD and
    classification backwards.
    """
    last = last_closed_day()
    if last is None or last == business_date:
        return [business_date]
    if business_date < last:
        raise Conflict(f"{business_date} is before {last}, the last day closed.", code="day_already_closed")
    return [last + datetime.timedelta(days=n) for n in range(1, (business_date - last).days + 1)]


@job(NAME, description="Close of business: interest due, DPD, SMA/NPA classification (catching up missed days).")
def npa_classification(*, business_date):
    totals: Counter = Counter()
    days = days_to_close(business_date)
    for day in days:
        totals.update(close_of_business(day))
    return {**dict(totals), "days_closed": len(days)}
