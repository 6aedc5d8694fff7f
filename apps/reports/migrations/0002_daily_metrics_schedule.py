"""Beat runs daily_metrics every night at 02:00 (API.md), after the close of business (01:00),
through the job runner like every other job. Frozen here: no import of the live job registry."""

import json

from django.db import migrations

NAME = "daily_metrics"
CRON = {"minute": "0", "hour": "2", "day_of_week": "*"}


def install(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        timezone="Asia/Kolkata", day_of_month="*", month_of_year="*", **CRON
    )
    PeriodicTask.objects.create(
        name=NAME,
        task="core.run_idempotent_job",
        crontab=crontab,
        args=json.dumps([NAME]),
        kwargs=json.dumps({"triggered_by": "beat"}),
        description=f"Runs the {NAME} job through the job runner.",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_daily_metrics"), ("core", "0007_closed_business_day")]
    operations = [migrations.RunPython(install, remove)]
