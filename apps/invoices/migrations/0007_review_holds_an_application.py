"""The invoice's risk-review hold is gone: loans 0019 moved the invoices it held to UNDER_REVIEW
applications first.

Expand and contract: the model forgets `risk_approved_by` and `risk_approved_reason` now, but the
columns stay in this release (the reason gets a database default, so this release's inserts,
which no longer name it, work), because servers of the release before may still be running
during a rolling deploy and select them. A later release drops them. The index that served the
old worklist is dropped CONCURRENTLY: the table takes writes all day."""

from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # RemoveIndexConcurrently

    dependencies = [
        ("invoices", "0006_worklist_risk_review"),
        ("loans", "0019_reviews_become_applications"),
    ]

    operations = [
        migrations.DeleteModel(name="RiskReviewInvoice"),
        RemoveIndexConcurrently(model_name="invoice", name="ix_invoice_awaiting_offers"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="invoice", name="risk_approved_by"),
                migrations.RemoveField(model_name="invoice", name="risk_approved_reason"),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE invoices_invoice ALTER COLUMN risk_approved_reason SET DEFAULT ''",
                    "ALTER TABLE invoices_invoice ALTER COLUMN risk_approved_reason DROP DEFAULT",
                ),
            ],
        ),
    ]
