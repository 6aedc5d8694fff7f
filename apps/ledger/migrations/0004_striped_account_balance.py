"""Account snapshots split into stripes, so postings to one hot account stop queueing on a
single row lock; `ledger_post` now adds to the stripe its entry id picks. Existing totals move
to stripe 0, so every balance is unchanged."""

from pathlib import Path

import django.db.models.deletion
from django.db import migrations, models

SQL = Path(__file__).resolve().parent.parent / "sql"
FUNCTION = (SQL / "ledger_post_v2.sql").read_text()
# Undone by putting v1 back (it was created by 0003 with CREATE FUNCTION).
PREVIOUS = (SQL / "ledger_post_v1.sql").read_text().replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")

COPY = """
INSERT INTO ledger_accountbalancestripe (account_id, stripe, debit_total, credit_total)
SELECT account_id, 0, debit_total, credit_total FROM ledger_accountbalance
"""
COPY_BACK = """
INSERT INTO ledger_accountbalance (account_id, debit_total, credit_total)
SELECT account_id, sum(debit_total), sum(credit_total) FROM ledger_accountbalancestripe GROUP BY account_id
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_ledger_post_function")]

    operations = [
        migrations.CreateModel(
            name="AccountBalanceStripe",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("stripe", models.PositiveSmallIntegerField()),
                ("debit_total", models.DecimalField(decimal_places=4, default=0, max_digits=22)),
                ("credit_total", models.DecimalField(decimal_places=4, default=0, max_digits=22)),
                (
                    "account",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="ledger.account",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="accountbalancestripe",
            constraint=models.UniqueConstraint(fields=("account", "stripe"), name="uq_balance_account_stripe"),
        ),
        migrations.AddConstraint(
            model_name="accountbalancestripe",
            constraint=models.CheckConstraint(condition=models.Q(("stripe__lt", 8)), name="ck_balance_stripe_range"),
        ),
        migrations.RunSQL(COPY, COPY_BACK),
        migrations.RunSQL(FUNCTION, PREVIOUS),
        migrations.DeleteModel(name="AccountBalance"),
    ]
