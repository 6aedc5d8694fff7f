"""The account a waived charge is written off to: the ops console's "Waive a charge" reverses the
charges receivable into it (Dr 5010 / Cr 1120). Frozen here, as 0002 froze the first chart."""

from django.db import migrations

ACCOUNTS = [("5010", "Penal and bounce charges waived", "EXPENSE")]


def seed(apps, schema_editor):
    """Idempotent (tests run it again after a flush)."""
    Account = apps.get_model("ledger", "Account")
    for code, name, account_type in ACCOUNTS:
        Account.objects.get_or_create(code=code, defaults={"name": name, "type": account_type})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_striped_account_balance")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
