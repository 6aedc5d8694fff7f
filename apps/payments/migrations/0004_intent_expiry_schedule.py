"""Beat expires timed-out payment pages every 15 minutes, through the job runner. Frozen: the beat row is
data passed to apps.core.migration_ops, which never changes."""

from django.db import migrations

from apps.core.migration_ops import cron_job


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_payment_intents"), ("core", "0010_outbox_sweep")]
    operations = [cron_job("payment_intent_expiry", minute="*/15", hour="*")]
