"""Registry of named jobs.

A job is a function `fn(*, business_date) -> dict[str, int]` (its counts), registered with
`@job("name")` in the app that owns it. The runner (JobRun record, advisory lock, audit) and
the Celery tasks call jobs only through this registry.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobSpec:
    name: str
    fn: Callable
    # acks_late only for jobs that are idempotent for a business date: a redelivered
    # message must not do the work twice.
    idempotent: bool = True
    description: str = ""


JOBS: dict[str, JobSpec] = {}


def job(name: str, *, idempotent: bool = True, description: str = ""):
    def decorator(fn):
        JOBS[name] = JobSpec(
            name=name, fn=fn, idempotent=idempotent, description=description or (fn.__doc__ or "").strip()
        )
        return fn

    return decorator


def get_job(name: str) -> JobSpec | None:
    return JOBS.get(name)
