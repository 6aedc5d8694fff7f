"""The NACH return codes, frozen here (ops add or retire codes in the admin afterwards)."""

from django.db import migrations

NACH_RETURN_CODES = [
    ("01", "Account closed"),
    ("02", "No such account"),
    ("04", "Balance insufficient"),
    ("06", "Payment stopped by the payer"),
    ("08", "Mandate not received"),
    ("14", "Mandate expired"),
    ("21", "Invalid UMRN"),
    ("26", "Amount exceeds the mandate limit"),
    ("61", "Mandate cancelled"),
    ("68", "Account blocked or frozen"),
]


def seed(apps, schema_editor):
    """Idempotent (tests run it again after a flush)."""
    NachReturnCode = apps.get_model("repayments", "NachReturnCode")
    for code, description in NACH_RETURN_CODES:
        NachReturnCode.objects.get_or_create(code=code, defaults={"description": description})


class Migration(migrations.Migration):
    dependencies = [("repayments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
