"""Beat asks the aggregator about open consents every ten minutes (the consents_poll job).
Frozen: the beat row is data passed to apps.core.migration_ops."""

from django.db import migrations

from apps.core.migration_ops import cron_job


class Migration(migrations.Migration):
    dependencies = [("banking", "0001_consents"), ("core", "0010_outbox_sweep")]
    operations = [cron_job("consents_poll", minute="*/10", hour="*")]
