from django.db import migrations


def seed(apps, schema_editor):
    from apps.ledger.chart import seed_chart

    seed_chart(apps.get_model("ledger", "Account"))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
