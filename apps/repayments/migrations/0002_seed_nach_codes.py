from django.db import migrations


def seed(apps, schema_editor):
    from apps.repayments.migrations_seed import seed_nach_codes

    seed_nach_codes(apps.get_model("repayments", "NachReturnCode"))


class Migration(migrations.Migration):
    dependencies = [("repayments", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
