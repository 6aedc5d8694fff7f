"""A human reference (AP-YYYY-NNNNNN) on every invoice: existing rows numbered in order of creation,
with the year they were created in; new rows get theirs from the column default
(apps/core/references.py, function from core 0008)."""

from django.db import migrations

from apps.core.migration_ops import human_reference


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_risk_review_approval"), ("core", "0008_reference_function")]

    operations = human_reference(model_name="invoice", table="invoices_invoice", prefix="AP")
