from django.db import migrations


def install(apps, schema_editor):
    from apps.core.schedules import install as install_schedules

    install_schedules(apps)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_jobrun"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
