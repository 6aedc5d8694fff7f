from apps.core.jobs import job
from apps.reports.services import daily_metrics_compute


@job("daily_metrics", description="The day's figures for the dashboard and the MIS (after the close of business).")
def daily_metrics(*, business_date):
    metrics = daily_metrics_compute(business_date=business_date)
    return {"live_loans": metrics.live_loans}
