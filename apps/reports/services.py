"""The daily figures (apps/reports/models.DailyMetrics): computed once a day, read all day."""

import datetime

from django.db import transaction

from apps.audit.services import record
from apps.reports.mis import compute_metrics
from apps.reports.models import DailyMetrics
from apps.reports.selectors import book_snapshot, day_flows, due_and_paid_between


def _amounts(groups: dict) -> dict:
    return {name: {"count": g["count"], "amount": str(g["amount"])} for name, g in groups.items()}


@transaction.atomic
def daily_metrics_compute(*, business_date: datetime.date, actor=None) -> DailyMetrics:
    """The book as it stands and the day's flows, written for `business_date` (again, if it was
    already: a rerun after a late payment replaces the row)."""
    book = book_snapshot()
    mtd = due_and_paid_between(business_date.replace(day=1), business_date)
    metrics, _ = DailyMetrics.objects.update_or_create(
        business_date=business_date,
        defaults={
            "aum": book["aum"],
            "live_loans": book["active_loans"],
            "npa_amount": book["npa_amount"],
            "by_classification": _amounts(book["by_classification"]),
            "by_dpd_bucket": _amounts(book["by_dpd_bucket"]),
            **day_flows(business_date),
            "due_mtd": mtd["due"],
            "paid_against_due_mtd": mtd["paid"],
            **compute_metrics(business_date, book=book),
        },
    )
    record(
        "metrics.computed",
        obj=metrics,
        after={"aum": str(metrics.aum), "missing": metrics.missing_metrics},
        actor=actor,
    )
    return metrics


def daily_metrics_for(*, business_date: datetime.date, force_refresh: bool = False, actor=None) -> DailyMetrics:
    """The stored figures of the date, computed (and stored) when missing or when asked to."""
    if not force_refresh:
        stored = DailyMetrics.objects.filter(business_date=business_date).first()
        if stored is not None:
            return stored
    return daily_metrics_compute(business_date=business_date, actor=actor)
