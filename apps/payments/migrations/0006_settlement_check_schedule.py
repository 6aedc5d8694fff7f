"""Beat checks every morning (06:30) for repayments no settlement confirmed, through the job
runner. Frozen: the beat row is data passed to apps.core.migration_ops."""

from django.db import migrations

from apps.core.migration_ops import cron_job


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_settlements"), ("core", "0010_outbox_sweep")]
    operations = [cron_job("settlement_check", minute="30", hour="6")]
