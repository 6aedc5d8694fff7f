"""A human reference (LN-YYYY-NNNNNN) on every loan: existing rows numbered in order of creation,
with the year they were created in; new rows get theirs from the column default
(apps/core/references.py, function from core 0008)."""

from django.db import migrations, models

BACKFILL = """
CREATE SEQUENCE IF NOT EXISTS loans_loan_reference_seq;
UPDATE loans_loan AS t SET reference = 'LN-' || to_char(t.created_at AT TIME ZONE 'Asia/Kolkata', 'YYYY')
    || '-' || lpad(s.n::text, greatest(6, length(s.n::text)), '0')
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM loans_loan) AS s
WHERE s.id = t.id;
SELECT setval('loans_loan_reference_seq', GREATEST((SELECT count(*) FROM loans_loan), 1),
              (SELECT count(*) FROM loans_loan) > 0);
"""


class Migration(migrations.Migration):
    dependencies = [("loans", "0007_loan_created_index"), ("core", "0008_reference_function")]

    operations = [
        migrations.AddField(
            model_name="loan",
            name="reference",
            field=models.CharField(max_length=24, null=True, editable=False, verbose_name="reference"),
        ),
        migrations.RunSQL(
            BACKFILL,
            "DROP SEQUENCE IF EXISTS loans_loan_reference_seq;",
        ),
        migrations.AlterField(
            model_name="loan",
            name="reference",
            field=models.CharField(
                db_default=models.Func(
                    models.Value("LN"),
                    models.Value("loans_loan_reference_seq"),
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
