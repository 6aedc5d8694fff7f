"""What the migrations seed (chart of accounts, NACH codes, beat rows, products, role groups),
put back after a flush: the data lives once, frozen in the migrations that seeded it."""

# The data migrations, run again with the live app registry: the data lives once, frozen in
# the migration that seeded it (each of these is idempotent).
DATA_MIGRATIONS = [
    ("apps.ledger.migrations.0002_seed_chart", "seed"),
    ("apps.ledger.migrations.0005_charges_waived_account", "seed"),
    ("apps.ledger.migrations.0008_penal_suspense_account", "seed"),
    ("apps.repayments.migrations.0002_seed_nach_codes", "seed"),
    ("apps.core.migrations.0003_beat_schedules", "install"),
    ("apps.core.migrations.0005_risk_recalculation_not_acks_late", "forward"),
    ("apps.reports.migrations.0002_daily_metrics_schedule", None),  # None: its RunPython operations
]


def seed_reference_data():
    import importlib

    from django.apps import apps

    from apps.accounts.groups import sync_role_groups
    from tests.support.lending import ensure_products

    for module, function in DATA_MIGRATIONS:
        migration = importlib.import_module(module)
        if function is None:
            for operation in migration.Migration.operations:
                operation.code(apps, None)
        else:
            getattr(migration, function)(apps, None)
    ensure_products()
    sync_role_groups()
