"""Penal charges accrued on an NPA loan are not income until paid: they are held in suspense
(Dr 1120 / Cr 2210) and move to income as they are paid. Frozen here, as 0002 froze the first
chart."""

from django.db import migrations

ACCOUNTS = [("2210", "Penal charges suspense (NPA)", "LIABILITY")]


def seed(apps, schema_editor):
    """Idempotent (tests run it again after a flush)."""
    Account = apps.get_model("ledger", "Account")
    for code, name, account_type in ACCOUNTS:
        Account.objects.get_or_create(code=code, defaults={"name": name, "type": account_type})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_unapplied_credit_entry_type")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
