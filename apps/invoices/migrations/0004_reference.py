"""A human reference (AP-YYYY-NNNNNN) on every invoice: existing rows numbered in order of creation,
with the year they were created in; new rows get theirs from the column default
(apps/core/references.py, function from core 0008)."""

from django.db import migrations, models

BACKFILL = """
CREATE SEQUENCE IF NOT EXISTS invoices_invoice_reference_seq;
UPDATE invoices_invoice AS t SET reference = 'AP-' || to_char(t.created_at AT TIME ZONE 'Asia/Kolkata', 'YYYY')
    || '-' || lpad(s.n::text, greatest(6, length(s.n::text)), '0')
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM invoices_invoice) AS s
WHERE s.id = t.id;
SELECT setval('invoices_invoice_reference_seq', GREATEST((SELECT count(*) FROM invoices_invoice), 1),
              (SELECT count(*) FROM invoices_invoice) > 0);
"""


class Migration(migrations.Migration):
    dependencies = [("invoices", "0003_risk_review_approval"), ("core", "0008_reference_function")]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="reference",
            field=models.CharField(max_length=24, null=True, editable=False, verbose_name="reference"),
        ),
        migrations.RunSQL(
            BACKFILL,
            "DROP SEQUENCE IF EXISTS invoices_invoice_reference_seq;",
        ),
        migrations.AlterField(
            model_name="invoice",
            name="reference",
            field=models.CharField(
                db_default=models.Func(
                    models.Value("AP"),
                    models.Value("invoices_invoice_reference_seq"),
                    function="reference_next",
                    output_field=models.CharField(),
                ),
                editable=False,
                max_length=24,
                unique=True,
                verbose_name="reference",
            ),
        ),
    ]
