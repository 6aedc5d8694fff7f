"""Beat applies stored rail webhooks every minute, besides the message sent when one arrives:
an event whose message was lost is applied within a minute. Frozen: no import of app code."""

from django.db import migrations

NAME = "payments_webhook_sweep"


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.create(
        name=NAME,
        task="payments.apply_webhook_events",
        interval=every,
        description="Applies stored payment-rail webhook events.",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(install, remove)]
