"""The aging report's index: each OVERDUE installment with what it owes. Built CONCURRENTLY, so a
live book keeps taking payments while it builds (hence not atomic)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("loans", "0013_payout_retry_schedule"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="installment",
            index=models.Index(
                condition=models.Q(("status", "OVERDUE")),
                fields=["loan_id"],
                include=(
                    "principal_due",
                    "interest_due",
                    "penalty_due",
                    "principal_paid",
                    "interest_paid",
                    "penalty_paid",
                ),
                name="ix_installment_overdue_owed",
            ),
        ),
    ]
