"""A human reference (LN-YYYY-NNNNNN) on every loan: existing rows numbered in order of creation,
with the year they were created in; new rows get theirs from the column default
(apps/core/references.py, function from core 0008)."""

from django.db import migrations

from apps.core.migration_ops import human_reference


class Migration(migrations.Migration):
    dependencies = [("loans", "0007_loan_created_index"), ("core", "0008_reference_function")]

    operations = human_reference(model_name="loan", table="loans_loan", prefix="LN")
