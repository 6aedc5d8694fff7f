"""The beat schedule of the jobs (API.md), installed as django-celery-beat rows by migration
core 0003 so ops can pause or change them in the admin afterwards."""

import json

from apps.core.tasks import task_for

TIME_ZONE = "Asia/Kolkata"

SCHEDULES = {
    "offer_expiry": {"minute": "*/15", "hour": "*", "day_of_week": "*"},
    "emi_reminders": {"minute": "0", "hour": "9", "day_of_week": "*"},
    "npa_classification": {"minute": "0", "hour": "1", "day_of_week": "*"},
    "risk_recalculation": {"minute": "0", "hour": "2", "day_of_week": "0"},
    "idempotency_purge": {"minute": "30", "hour": "3", "day_of_week": "*"},
}


def install(apps) -> None:
    """Idempotent: a schedule ops already changed is left as they set it."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, cron in SCHEDULES.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            timezone=TIME_ZONE, day_of_month="*", month_of_year="*", **cron
        )
        PeriodicTask.objects.create(
            name=name,
            # acks_late only for jobs registered as idempotent (JobSpec.idempotent).
            task=task_for(name).name,
            crontab=crontab,
            args=json.dumps([name]),
            kwargs=json.dumps({"triggered_by": "beat"}),
            description=f"Runs the {name} job through the job runner.",
        )
