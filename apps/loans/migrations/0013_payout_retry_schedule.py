"""Beat sends again, every 5 minutes, the payouts the rail never answered, through the job
runner. Frozen: no import of the live job registry."""

import json

from django.db import migrations

NAME = "payout_retry"
CRON = {"minute": "*/5", "hour": "*", "day_of_week": "*"}


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
    dependencies = [("loans", "0012_payouts"), ("core", "0010_outbox_sweep")]
    operations = [migrations.RunPython(install, remove)]
