"""One application per invoice awaits its decision at a time. Its own migration: the index
cannot be built in the transaction that inserted 0019's applications (pending trigger events)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("loans", "0019_reviews_become_applications")]

    operations = [
        migrations.AddConstraint(
            model_name="loanapplication",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["SUBMITTED", "UNDER_REVIEW"])),
                fields=("invoice",),
                name="uq_application_open_per_invoice",
            ),
        ),
    ]
