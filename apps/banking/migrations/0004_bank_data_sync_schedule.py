"""Beat fetches a day's bank data for every business with an active consent at 01:30, before
the 02:00 jobs read it (daily metrics; Sunday's risk recalculation): the bank_data_sync job. Frozen: the beat row is data
passed to apps.core.migration_ops."""

from django.db import migrations

from apps.core.migration_ops import cron_job


class Migration(migrations.Migration):
    dependencies = [("banking", "0003_bank_data"), ("core", "0010_outbox_sweep")]
    operations = [cron_job("bank_data_sync", minute="30", hour="1")]
