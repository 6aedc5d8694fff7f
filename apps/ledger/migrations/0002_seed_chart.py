"""The chart of accounts as it was first seeded, frozen here: apps.ledger.chart may change, this
migration must not. An account added later comes with a migration of its own."""

from django.db import migrations

CHART = [
    ("1000", "Bank: disbursement account", "ASSET"),
    ("1010", "Bank: collection account", "ASSET"),
    ("1100", "Loan principal receivable", "ASSET"),
    ("1110", "Interest receivable", "ASSET"),
    ("1120", "Penal and bounce charges receivable", "ASSET"),
    ("2000", "Borrower advances and excess payments", "LIABILITY"),
    ("2100", "GST payable on fees and charges", "LIABILITY"),
    ("2200", "Interest suspense (NPA)", "LIABILITY"),
    ("3000", "Share capital", "EQUITY"),
    ("4000", "Processing fee income", "INCOME"),
    ("4010", "Interest income", "INCOME"),
    ("4020", "Penal and bounce charge income", "INCOME"),
    ("4030", "Recovery income (written-off loans)", "INCOME"),
    ("5000", "Loan write-off expense", "EXPENSE"),
]


def seed(apps, schema_editor):
    """Idempotent (tests run it again after a flush)."""
    Account = apps.get_model("ledger", "Account")
    for code, name, account_type in CHART:
        Account.objects.get_or_create(code=code, defaults={"name": name, "type": account_type})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
