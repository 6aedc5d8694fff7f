from apps.core.business_date import last_closed_day
from apps.core.jobs import job
from apps.reports.services import daily_metrics_compute


@job("daily_metrics", description="The day's figures for the dashboard and the MIS (after the close of business).")
def daily_metrics(*, business_date):
    """For the date just closed (the close of business runs at 01:00, this at 02:00); before any
    close, for the business date."""
    closed = last_closed_day()
    day = closed if closed is not None and closed <= business_date else business_date
    metrics = daily_metrics_compute(business_date=day)
    return {"live_loans": metrics.live_loans, "missing_metrics": len(metrics.missing_metrics)}
