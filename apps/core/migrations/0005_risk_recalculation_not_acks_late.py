"""risk_recalculation writes a score row per business on every run, so it is not idempotent:
its beat row moves to the task that acknowledges the message before running."""

from django.db import migrations


def forward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="risk_recalculation", task="core.run_idempotent_job"
    ).update(task="core.run_job")


def backward(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(
        name="risk_recalculation", task="core.run_job"
    ).update(task="core.run_idempotent_job")


class Migration(migrations.Migration):
    dependencies = [("core", "0004_idempotency"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(forward, backward)]
