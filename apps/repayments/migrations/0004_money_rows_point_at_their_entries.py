"""Repayments and bounces point at the journal entry that booked them (a real foreign key).

`Repayment.journal_entry_id` was a plain UUID column that the EMI path never filled (the value
went to an unsaved attribute); bounces had no link at all. Both are backfilled from the entries'
idempotency keys (`repayment:<id>`, `bounce:<id>`), then made NOT NULL foreign keys.
"""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL_REPAYMENTS = """
UPDATE repayments_repayment r SET journal_entry_id = e.id
FROM ledger_journalentry e
WHERE e.idempotency_key = 'repayment:' || r.id::text AND r.journal_entry_id IS DISTINCT FROM e.id
"""
BACKFILL_BOUNCES = """
UPDATE repayments_bounce b SET journal_entry_id = e.id
FROM ledger_journalentry e
WHERE e.idempotency_key = 'bounce:' || b.id::text
"""
REPAYMENT_FOREIGN_KEY = """
ALTER TABLE repayments_repayment ADD CONSTRAINT repayments_repayment_journal_entry_id_fk_ledger_journalentry
    FOREIGN KEY (journal_entry_id) REFERENCES ledger_journalentry (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX repayments_repayment_journal_entry_id_idx ON repayments_repayment (journal_entry_id);
"""
# Backwards, the AlterField below has already rebuilt the constraint under Django's own name:
# drop whatever foreign key and index the column has, by what they are rather than by name.
DROP_REPAYMENT_FOREIGN_KEY = """
DO $$
DECLARE
    item record;
    col smallint := (SELECT attnum FROM pg_attribute
                     WHERE attrelid = 'repayments_repayment'::regclass AND attname = 'journal_entry_id');
BEGIN
    FOR item IN SELECT conname FROM pg_constraint
                WHERE conrelid = 'repayments_repayment'::regclass AND contype = 'f' AND conkey = ARRAY[col]
    LOOP
        EXECUTE format('ALTER TABLE repayments_repayment DROP CONSTRAINT %I', item.conname);
    END LOOP;
    FOR item IN SELECT indexrelid::regclass::text AS name FROM pg_index
                WHERE indrelid = 'repayments_repayment'::regclass AND indkey::text = col::text AND NOT indisprimary
    LOOP
        EXECUTE format('DROP INDEX %s', item.name);
    END LOOP;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_striped_account_balance"),
        ("repayments", "0003_repayment_filter_indexes"),
    ]

    operations = [
        migrations.RunSQL(BACKFILL_REPAYMENTS, reverse_sql=migrations.RunSQL.noop),
        # The column keeps its name (journal_entry_id); it gains the constraint and index of a
        # foreign key, and the state's field becomes one.
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(REPAYMENT_FOREIGN_KEY, reverse_sql=DROP_REPAYMENT_FOREIGN_KEY)],
            state_operations=[
                migrations.RemoveField(model_name="repayment", name="journal_entry_id"),
                migrations.AddField(
                    model_name="repayment",
                    name="journal_entry",
                    field=models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="ledger.journalentry",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="bounce",
            name="journal_entry",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.journalentry"
            ),
        ),
        migrations.RunSQL(BACKFILL_BOUNCES, reverse_sql=migrations.RunSQL.noop),
        # AlterField adds the foreign-key constraint and index to the existing column.
        migrations.AlterField(
            model_name="repayment",
            name="journal_entry",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.journalentry"
            ),
        ),
        migrations.AlterField(
            model_name="bounce",
            name="journal_entry",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ledger.journalentry"
            ),
        ),
    ]
