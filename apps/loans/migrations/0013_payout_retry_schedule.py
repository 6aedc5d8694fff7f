"""Beat sends again, every 5 minutes, the payouts the rail never answered, through the job
runner. Frozen: the beat row is data passed to apps.core.migration_ops."""

from django.db import migrations

from apps.core.migration_ops import cron_job


class Migration(migrations.Migration):
    dependencies = [("loans", "0012_payouts"), ("core", "0010_outbox_sweep")]
    operations = [cron_job("payout_retry", minute="*/5", hour="*")]
