"""Beat runs daily_metrics every night at 02:00 (API.md), after the close of business (01:00),
through the job runner like every other job. Frozen: the beat row is data passed to
apps.core.migration_ops."""

from django.db import migrations

from apps.core.migration_ops import cron_job


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_daily_metrics"), ("core", "0007_closed_business_day")]
    operations = [cron_job("daily_metrics", minute="0", hour="2")]
