"""Figures for the admin index: the book at a glance for ops staff, all computed in SQL and read
from the replica when there is one."""

from django.db.models import Sum

from apps.core.business_date import get_business_date
from apps.core.jobs import JOBS
from apps.core.models import JobRun
from apps.core.replica import use_replica
from apps.ledger import chart
from apps.ledger.models import JournalLine
from apps.loans.models import Loan
from apps.reports.selectors import portfolio_summary


def _collected_on(day):
    total = JournalLine.objects.filter(
        entry__business_date=day, account__code=chart.BANK_COLLECTIONS, debit__gt=0
    ).aggregate(s=Sum("debit"))["s"]
    return total or 0


def last_job_runs() -> list[dict]:
    """The newest run of each job by creation, whatever its status: a QUEUED or SKIPPED run has
    no started_at, and ordering on that put such a run (NULLs sort first descending) ahead of
    newer finished ones. One LIMIT 1 probe of ix_jobrun_name_latest per job, in one UNION ALL,
    rather than DISTINCT ON, which reads every run ever recorded of every job."""
    names = sorted(JOBS)
    probes = [JobRun.objects.filter(name=name).order_by("-created_at")[:1] for name in names]
    latest = {run.name: run for run in probes[0].union(*probes[1:], all=True)} if probes else {}
    return [{"name": name, "run": latest.get(name)} for name in names]


@use_replica()
def dashboard_context() -> dict:
    today = get_business_date()
    summary = portfolio_summary()
    disbursed = Loan.objects.filter(disbursed_on=today).aggregate(s=Sum("disbursed_amount"))["s"] or 0
    return {
        "summary": summary,
        "disbursed_today": disbursed,
        "collected_today": _collected_on(today),
        "jobs": last_job_runs(),
        "chart_classification": {
            "labels": list(summary["by_classification"]),
            "counts": [bucket["count"] for bucket in summary["by_classification"].values()],
        },
        "chart_dpd": {
            "labels": list(summary["by_dpd_bucket"]),
            "counts": [bucket["count"] for bucket in summary["by_dpd_bucket"].values()],
        },
    }
