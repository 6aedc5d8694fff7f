"""Beat runs the outbox's sweep every minute: events whose after-commit message was lost (the
broker down, a worker killed) are dispatched within a minute. Frozen: no import of app code."""

from django.db import migrations

NAME = "outbox_sweep"


def install(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    every, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.create(
        name=NAME,
        task="core.dispatch_events",
        interval=every,
        description="Dispatches pending outbox events to their handlers.",
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0009_outbox"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(install, remove)]
