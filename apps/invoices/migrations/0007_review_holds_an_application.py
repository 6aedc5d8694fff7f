"""The invoice's risk-review hold is gone: loans 0019 moved the invoices it held to UNDER_REVIEW
applications first."""

from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False  # the index is dropped CONCURRENTLY: the table takes writes all day

    dependencies = [
        ("invoices", "0006_worklist_risk_review"),
        ("loans", "0019_reviews_become_applications"),
    ]

    operations = [
        migrations.DeleteModel(name="RiskReviewInvoice"),
        RemoveIndexConcurrently(model_name="invoice", name="ix_invoice_awaiting_offers"),
        migrations.RemoveField(model_name="invoice", name="risk_approved_by"),
        migrations.RemoveField(model_name="invoice", name="risk_approved_reason"),
    ]
