"""Beat presents the day's installments to their mandates at 07:00 (API.md), through the job
runner. Frozen: no import of the live job registry."""

import json

from django.db import migrations

NAME = "mandate_presentation"
CRON = {"minute": "0", "hour": "7", "day_of_week": "*"}


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
    dependencies = [("payments", "0007_mandates"), ("core", "0010_outbox_sweep")]
    operations = [migrations.RunPython(install, remove)]
