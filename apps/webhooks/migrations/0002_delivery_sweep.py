"""Beat sends due partner deliveries every minute, besides the message sent when deliveries are
written: retries come due this way, and a delivery whose message was lost is sent within a
minute. Frozen: the beat row is data passed to apps.core.migration_ops."""

from django.db import migrations

from apps.core.migration_ops import every_minute_task


class Migration(migrations.Migration):
    dependencies = [("webhooks", "0001_partner_webhooks"), ("core", "0010_outbox_sweep")]
    operations = [
        every_minute_task("webhooks_delivery_sweep", task="webhooks.deliver", description="Sends due partner webhooks."),
    ]
