"""The admin's front page, "Today": the book at a glance for ops staff.

Reads the newest DailyMetrics row (written by the daily_metrics job after the close of business)
and thirty days of them for the trends, plus today's disbursals and collections from the ledger
by index: a constant handful of queries whatever the size of the book, from the replica when
there is one."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from apps.core.business_date import get_business_date
from apps.core.jobs import JOBS
from apps.core.models import JobRun
from apps.core.replica import use_replica
from apps.loans.models import Loan
from apps.repayments.delinquency import DPD_BUCKETS
from apps.reports.charts import bar_chart
from apps.reports.selectors import collection_efficiency, day_flows, metrics_latest, metrics_window

TREND_DAYS = 30


def last_job_runs() -> list[dict]:
    """The newest run of each job by creation, whatever its status: a QUEUED or SKIPPED run has
    no started_at, and ordering on that put such a run (NULLs sort first descending) ahead of
    newer finished ones. One LIMIT 1 probe of ix_jobrun_name_latest per job, in one UNION ALL,
    rather than DISTINCT ON, which reads every run ever recorded of every job."""
    names = sorted(JOBS)
    probes = [JobRun.objects.filter(name=name).order_by("-created_at")[:1] for name in names]
    latest = {run.name: run for run in probes[0].union(*probes[1:], all=True)} if probes else {}
    return [{"name": name, "run": latest.get(name)} for name in names]


def next_runs() -> dict[str, datetime.datetime | None]:
    """When beat will next start each job, from its schedule row (None when paused or unscheduled)."""
    now = timezone.now()
    upcoming = {}
    for task in PeriodicTask.objects.select_related("crontab", "interval").filter(enabled=True):
        schedule = task.schedule if (task.crontab_id or task.interval_id) else None
        if schedule is None:
            continue
        name = task.name
        at = now + schedule.remaining_estimate(task.last_run_at or now)
        upcoming[name] = (at + datetime.timedelta(seconds=30)).replace(second=0, microsecond=0)
    return upcoming


def job_rows() -> list[dict]:
    upcoming = next_runs()
    rows = []
    for item in last_job_runs():
        run = item["run"]
        counts = sorted((run.counts or {}).items()) if run and isinstance(run.counts, dict) else []
        rows.append(
            {
                "name": item["name"],
                "description": JOBS[item["name"]].description,
                "run": run,
                # What the run did: the counts that are not zero (a close of business reports
                # fourteen, most of them zero on most nights).
                "counts": [(key.replace("_", " "), value) for key, value in counts if value],
                "idle": bool(counts) and not any(value for _, value in counts),
                "next_run": upcoming.get(item["name"]),
            }
        )
    return rows


def _chart(points, *, title: str, **options) -> dict:
    return {"title": title, "svg": bar_chart(points, title=title, **options)}


def _amount(groups: dict, name: str) -> Decimal:
    # Stored as jsonb, whose keys come back sorted: the order is the model's, not the row's.
    return Decimal(groups.get(name, {}).get("amount", "0"))


def _class_label(classification: str) -> str:
    return "Standard" if classification == Loan.Classification.STANDARD else classification.replace("_", "-")


def _dpd_label(name: str) -> str:
    return "Current" if name == "0" else f"{name} DPD"


def _percent(fraction) -> Decimal:
    return (Decimal(fraction) * 100).quantize(Decimal("0.01"))


def _trend(window, day, field) -> list[tuple[str, object]]:
    by_day = {m.business_date: getattr(m, field) for m in window}
    days = [day - datetime.timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    return [(f"{d:%d %b}", by_day.get(d, 0)) for d in days]


@use_replica()
def dashboard_context() -> dict:
    today = get_business_date()
    latest = metrics_latest(today)
    window = metrics_window(today, days=TREND_DAYS)
    flows = day_flows(today)
    context = {"business_date": today, "metrics": latest, "today": flows, "jobs": job_rows()}
    if latest is None:
        return context
    efficiency = collection_efficiency(latest)
    context.update(
        efficiency_pct=None if efficiency is None else _percent(efficiency),
        npa_pct=_percent(latest.npa_amount / latest.aum if latest.aum else Decimal(0)),
        charts=[
            _chart(
                [(_class_label(cls), _amount(latest.by_classification, cls)) for cls in Loan.Classification.values],
                title="Outstanding by classification",
            ),
            _chart(
                [(_dpd_label(name), _amount(latest.by_dpd_bucket, name)) for name in DPD_BUCKETS],
                title="Outstanding by days past due",
            ),
            _chart(_trend(window, today, "disbursed"), title="Disbursed per day, last 30 days", label_every=5),
            _chart(_trend(window, today, "collected"), title="Collected per day, last 30 days", label_every=5),
        ],
    )
    return context
