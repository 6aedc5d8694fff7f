"""Penal charges start the day they went live: every installment already overdue then is marked
charged through that business date, so the first night does not charge it back to its due date
(its KFS may not have named a daily penal charge). Frozen: plain SQL over the tables as they are."""

import datetime

from django.db import migrations


def start_at_go_live(apps, schema_editor):
    row = apps.get_model("core", "BusinessDate").objects.filter(pk=1).first()
    day = row.date if row else datetime.date.today()
    schema_editor.execute(
        """UPDATE loans_installment SET penal_accrued_through = %s
           WHERE penal_accrued_through IS NULL AND due_date < %s AND status <> 'PAID'""",
        [day, day],
    )


class Migration(migrations.Migration):
    dependencies = [("loans", "0017_loan_applications"), ("core", "0010_outbox_sweep")]
    operations = [migrations.RunPython(start_at_go_live, migrations.RunPython.noop)]
