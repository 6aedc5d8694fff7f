"""Beat proves the snapshots against the journal every night at 03:00, after the close of
business (01:00) and the daily metrics (02:00). Frozen: the beat row is data passed to
apps.core.migration_ops."""

from django.db import migrations

from apps.core.migration_ops import cron_job


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_penal_suspense_account"), ("core", "0007_closed_business_day")]
    operations = [cron_job("ledger_drift_check", minute="0", hour="3")]
