"""Migration operations that install beat rows. Frozen like the migrations that call them:
everything a row holds is passed in as data (no live job registry, no settings), and a change
of behaviour is a new function here, never an edit of these, so a migration run next year
installs what it installed the day it was written."""

import json

from django.db import migrations, models


def _remover(name: str):
    def remove(apps, schema_editor):
        apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()

    return remove


def cron_job(name: str, *, minute: str, hour: str, day_of_week: str = "*") -> migrations.RunPython:
    """A beat row that runs job `name` through the job runner (`core.run_idempotent_job`) on an
    Asia/Kolkata crontab; left alone if a row of that name exists (ops may have tuned it)."""

    def install(apps, schema_editor):
        CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        if PeriodicTask.objects.filter(name=name).exists():
            return
        crontab, _ = CrontabSchedule.objects.get_or_create(
            timezone="Asia/Kolkata",
            day_of_month="*",
            month_of_year="*",
            minute=minute,
            hour=hour,
            day_of_week=day_of_week,
        )
        PeriodicTask.objects.create(
            name=name,
            task="core.run_idempotent_job",
            crontab=crontab,
            args=json.dumps([name]),
            kwargs=json.dumps({"triggered_by": "beat"}),
            description=f"Runs the {name} job through the job runner.",
        )

    return migrations.RunPython(install, _remover(name))


def every_minute_task(name: str, *, task: str, description: str) -> migrations.RunPython:
    """A beat row that sends Celery task `task` every 60 seconds (a sweep); left alone if a row of
    that name exists."""

    def install(apps, schema_editor):
        IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
        PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
        if PeriodicTask.objects.filter(name=name).exists():
            return
        every, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
        PeriodicTask.objects.create(name=name, task=task, interval=every, description=description)

    return migrations.RunPython(install, _remover(name))


def human_reference(*, model_name: str, table: str, prefix: str) -> list:
    """A human reference column (PREFIX-YYYY-NNNNNN) on an existing table: added nullable, the rows
    numbered in order of creation with the year they were created in, then given its default
    from the `reference_next` function (core 0008) and its own sequence, unique."""
    sequence = f"{table}_reference_seq"
    # The table, sequence and prefix are the calling migration's own constants, not input.
    backfill = f"""
CREATE SEQUENCE IF NOT EXISTS {sequence};
UPDATE {table} AS t SET reference = '{prefix}-' || to_char(t.created_at AT TIME ZONE 'Asia/Kolkata', 'YYYY')
    || '-' || lpad(s.n::text, greatest(6, length(s.n::text)), '0')
FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM {table}) AS s
WHERE s.id = t.id;
SELECT setval('{sequence}', GREATEST((SELECT count(*) FROM {table}), 1), (SELECT count(*) FROM {table}) > 0);
"""  # noqa: S608
    return [
        migrations.AddField(
            model_name=model_name,
            name="reference",
            field=models.CharField(max_length=24, null=True, editable=False, verbose_name="reference"),
        ),
        migrations.RunSQL(backfill, f"DROP SEQUENCE IF EXISTS {sequence};"),
        migrations.AlterField(
            model_name=model_name,
            name="reference",
            field=models.CharField(
                db_default=models.Func(
                    models.Value(prefix),
                    models.Value(sequence),
                    function="reference_next",
                    output_field=models.CharField(),
                ),
                editable=False,
                max_length=24,
                unique=True,
                verbose_name="reference",
            ),
        ),
    ]
