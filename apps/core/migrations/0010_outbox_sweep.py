"""Beat runs the outbox's sweep every minute: events whose after-commit message was lost (the
broker down, a worker killed) are dispatched within a minute. Frozen: the beat row is
data passed to apps.core.migration_ops, which never changes."""

from django.db import migrations

from apps.core.migration_ops import every_minute_task


class Migration(migrations.Migration):
    dependencies = [("core", "0009_outbox"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [
        every_minute_task("outbox_sweep", task="core.dispatch_events", description="Dispatches pending outbox events to their handlers."),
    ]
