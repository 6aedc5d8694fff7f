"""Beat presents the day's installments to their mandates at 07:00 (API.md), through the job
runner. Frozen: the beat row is data passed to apps.core.migration_ops."""

from django.db import migrations

from apps.core.migration_ops import cron_job


class Migration(migrations.Migration):
    dependencies = [("payments", "0007_mandates"), ("core", "0010_outbox_sweep")]
    operations = [cron_job("mandate_presentation", minute="0", hour="7")]
