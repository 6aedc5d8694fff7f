"""What /metrics serves beyond django-prometheus's request, database and cache series.

- Gauges read at scrape time: each app registers the figures it owns with `@gauge(...)` in its
  `gauges` module (core discovers those modules the way it discovers jobs), so core never names
  a higher app. A gauge function returns a number, or `{label values: number}`.
- Celery task counts: a worker's counters would live in the worker's process, which /metrics
  (served by web) cannot see; so each finished task increments a counter in the shared cache
  (Redis whenever it is configured) and the scrape reads them back.

A gauge that fails to read is left out of that scrape and logged: a broken figure must not take
every other series down with it.
"""

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from celery import current_app
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from apps.core.models import Event, JobRun

logger = logging.getLogger(__name__)

PREFIX = "gst_"
CELERY_STATES = ("SUCCESS", "FAILURE", "RETRY")
_CELERY_KEY = "metrics:celery:{task}:{state}"


@dataclass(frozen=True)
class GaugeSpec:
    name: str
    documentation: str
    labels: tuple[str, ...]
    fn: Callable


GAUGES: dict[str, GaugeSpec] = {}


def gauge(name: str, documentation: str, labels: Iterable[str] = ()):
    def decorator(fn):
        GAUGES[name] = GaugeSpec(PREFIX + name, documentation, tuple(labels), fn)
        return fn

    return decorator


def celery_task_finished(task_name: str, state: str) -> None:
    """Counts one finished task in the shared cache (the task_postrun signal calls this)."""
    if state not in CELERY_STATES:
        return
    key = _CELERY_KEY.format(task=task_name, state=state)
    try:
        cache.add(key, 0, timeout=None)
        cache.incr(key)
    except Exception:
        logger.warning("could not count celery task %s", task_name, exc_info=True)


def _celery_family(task_names: Iterable[str]) -> CounterMetricFamily:
    family = CounterMetricFamily(
        PREFIX + "celery_tasks", "Celery tasks finished, by task and final state.", labels=["task", "state"]
    )
    keys = {_CELERY_KEY.format(task=t, state=s): (t, s) for t in task_names for s in CELERY_STATES}
    for key, value in cache.get_many(list(keys)).items():
        family.add_metric(list(keys[key]), value)
    return family


def _gauge_family(spec: GaugeSpec) -> GaugeMetricFamily:
    # Prometheus samples are floats: a rupee figure (AUM) leaves as one here, for a graph, and is
    # never computed with or stored as one.
    value = spec.fn()
    family = GaugeMetricFamily(spec.name, spec.documentation, labels=list(spec.labels))
    if isinstance(value, dict):
        for label_values, number in value.items():
            values = label_values if isinstance(label_values, tuple) else (label_values,)
            family.add_metric([str(v) for v in values], float(number))
    else:
        family.add_metric([], float(value))
    return family


class AppCollector:
    """The prometheus_client collector that serves GAUGES and the Celery counters."""

    def __init__(self, task_names: Callable[[], Iterable[str]]):
        self._task_names = task_names
        self.registered = False

    def describe(self):
        # Empty: the registry must not call collect() (and query the database) when this
        # collector is registered at start-up.
        return []

    def collect(self):
        try:
            yield _celery_family(sorted(self._task_names()))
        except Exception:
            logger.warning("celery task counters unavailable", exc_info=True)
        for spec in GAUGES.values():
            try:
                family = _gauge_family(spec)
            except Exception:
                logger.warning("gauge %s unavailable", spec.name, exc_info=True)
                continue
            yield family


def _task_names() -> list[str]:
    # The web process never starts a worker, so the apps' task modules are imported here.
    current_app.loader.import_default_modules()
    return [name for name in current_app.tasks if not name.startswith("celery.")]


# Registered with prometheus_client's default registry by CoreConfig.ready().
COLLECTOR = AppCollector(_task_names)


# Core's own figures: the outbox and the job runs.


@gauge("outbox_lag_seconds", "Age of the oldest event still waiting in the outbox (0 when none waits).")
def outbox_lag_seconds() -> float:
    oldest = Event.objects.filter(status=Event.Status.PENDING).order_by("id").values_list("occurred_at", flat=True)
    first = oldest.first()
    return max((timezone.now() - first).total_seconds(), 0.0) if first else 0.0


@gauge("outbox_events", "Outbox events waiting (PENDING) or given up on (DEAD).", labels=["status"])
def outbox_events() -> dict:
    # One count per status, each over its own partial index (ix_event_pending, ix_event_dead).
    return {status: Event.objects.filter(status=status).count() for status in (Event.Status.PENDING, Event.Status.DEAD)}


def _latest_runs():
    # DISTINCT ON (name) over the (name, -created_at) index: one row per job.
    return JobRun.objects.order_by("name", "-created_at").distinct("name")


@gauge("job_last_run_duration_seconds", "Duration of each job's latest finished run.", labels=["job"])
def job_last_run_duration_seconds() -> dict:
    finished = _latest_runs().filter(duration_ms__isnull=False)
    return {run.name: run.duration_ms / 1000 for run in finished.only("name", "duration_ms", "created_at")}


@gauge("job_last_run_failed", "1 when a job's latest run failed, else 0.", labels=["job"])
def job_last_run_failed() -> dict:
    runs = _latest_runs().only("name", "status", "created_at")
    return {run.name: int(run.status == JobRun.Status.FAILED) for run in runs}


@gauge("job_runs_24h", "Job runs created in the last 24 hours, by job and status.", labels=["job", "status"])
def job_runs_24h() -> dict:
    since = timezone.now() - datetime.timedelta(hours=24)
    rows = JobRun.objects.filter(created_at__gte=since).values("name", "status").annotate(n=Count("id"))
    return {(row["name"], row["status"]): row["n"] for row in rows}
