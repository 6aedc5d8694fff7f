"""The beat schedule of the jobs (API.md) as django-celery-beat rows, so ops can pause or change
them in the admin. Frozen as it was written: every job on the acks_late task then; 0005 moved
risk_recalculation to core.run_job. A schedule ops already changed is left as they set it."""

import json

from django.db import migrations

TIME_ZONE = "Asia/Kolkata"
SCHEDULES = {
    "offer_expiry": {"minute": "*/15", "hour": "*", "day_of_week": "*"},
    "emi_reminders": {"minute": "0", "hour": "9", "day_of_week": "*"},
    "npa_classification": {"minute": "0", "hour": "1", "day_of_week": "*"},
    "risk_recalculation": {"minute": "0", "hour": "2", "day_of_week": "0"},
    "idempotency_purge": {"minute": "30", "hour": "3", "day_of_week": "*"},
}
TASK = "core.run_idempotent_job"


def install(apps, schema_editor):
    """Idempotent (tests run it again after a flush)."""
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
            task=TASK,
            crontab=crontab,
            args=json.dumps([name]),
            kwargs=json.dumps({"triggered_by": "beat"}),
            description=f"Runs the {name} job through the job runner.",
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_jobrun"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
