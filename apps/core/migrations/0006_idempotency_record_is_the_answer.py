"""An idempotency record is now written only with the response, in the transaction of the
change it describes; a request in flight holds an advisory lock instead of an IN_FLIGHT row.
Claims left IN_FLIGHT by the old code describe nothing that committed with them: drop them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0005_risk_recalculation_not_acks_late")]

    operations = [
        migrations.RunSQL(
            "DELETE FROM core_idempotencyrecord WHERE state = 'IN_FLIGHT' OR response_status IS NULL",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RemoveField(model_name="idempotencyrecord", name="state"),
        migrations.AlterField(
            model_name="idempotencyrecord",
            name="response_status",
            field=models.PositiveSmallIntegerField(),
        ),
    ]
