"""Every loan takes its offer's grade (0021 added the column; sanction copies it from now on).
Frozen: plain SQL over the two tables as they are."""

from django.db import migrations

FILL = """
UPDATE loans_loan l SET credit_grade = o.credit_grade
FROM loans_offer o
WHERE o.id = l.offer_id AND l.credit_grade = ''
"""


class Migration(migrations.Migration):
    dependencies = [("loans", "0021_loan_credit_grade")]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]
