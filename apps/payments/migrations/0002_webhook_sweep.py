"""Beat applies stored rail webhooks every minute, besides the message sent when one arrives:
an event whose message was lost is applied within a minute. Frozen: the beat row is
data passed to apps.core.migration_ops, which never changes."""

from django.db import migrations

from apps.core.migration_ops import every_minute_task


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [
        every_minute_task("payments_webhook_sweep", task="payments.apply_webhook_events", description="Applies stored payment-rail webhook events."),
    ]
