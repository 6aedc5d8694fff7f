"""Migrations freeze what they install: they import no live code of the project, the SQL they run
comes from versioned files that never change once shipped, and the database they leave behind
agrees with the live code that relies on it."""

import ast
import hashlib
from pathlib import Path

import pytest
from django.db import connection

from apps.ledger import chart
from apps.ledger.models import Account

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = sorted(ROOT.glob("apps/*/migrations/0*.py"))

# What Django's autodetector writes itself: a model manager with use_in_migrations and a callable
# default are referenced by import path, so those two must stay importable (and are not data).
DJANGO_REFERENCES = {
    "apps/accounts/migrations/0001_initial.py": {"apps.accounts.models"},
    "apps/loans/migrations/0001_loan_product.py": {"apps.loans.models"},
    "apps/webhooks/migrations/0001_partner_webhooks.py": {"apps.webhooks.models"},  # the secret's default
}

# Frozen helpers a migration may use: operations built only from the data the migration passes.
# Pinned like the SQL files below: a change of behaviour is a new function, never an edit.
FROZEN_HELPERS = {
    "apps.core.migration_ops": "ae5d063fc47174880c16d573fc140c7046ffea628126eaf10453dbd6b87c7016",
}

# sha256 of every shipped version of a SQL file a migration reads. A change is a new file (v3)
# and a new migration, never an edit: migrations that ran already would not run it again.
SQL_VERSIONS = {
    "apps/ledger/sql/ledger_post_v1.sql": "317b58fc4d9d69cef3d3a4c127ec58615ad25f0db1603c98f17f55abd4e419ba",
    "apps/ledger/sql/ledger_post_v2.sql": "63311e15cf28ac3917efe57c1adf02694e94054670767f2f0ce6d623b4d4ba70",
}


def _project_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args:
            argument = node.args[0]
            found.add(argument.value if isinstance(argument, ast.Constant) else "<dynamic>")
    return {name for name in found if name.split(".")[0] in ("apps", "config", "<dynamic>")}


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda path: str(path.relative_to(ROOT)))
def test_a_migration_imports_no_live_code(path):
    relative = str(path.relative_to(ROOT))
    assert _project_imports(path) <= DJANGO_REFERENCES.get(relative, set()) | set(FROZEN_HELPERS)


@pytest.mark.parametrize(("module", "digest"), sorted(FROZEN_HELPERS.items()))
def test_a_frozen_migration_helper_never_changes_and_imports_no_live_code(module, digest):
    path = ROOT / (module.replace(".", "/") + ".py")
    assert _project_imports(path) == set()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


@pytest.mark.parametrize(("relative", "digest"), sorted(SQL_VERSIONS.items()))
def test_a_shipped_sql_version_never_changes(relative, digest):
    assert hashlib.sha256((ROOT / relative).read_bytes()).hexdigest() == digest


@pytest.mark.django_db
def test_the_database_runs_the_latest_ledger_post():
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'ledger_post'")
        (body,) = cursor.fetchone()
    latest = (ROOT / "apps/ledger/sql/ledger_post_v2.sql").read_text()
    assert latest.split("$$")[1] == body


@pytest.mark.django_db
def test_the_database_holds_the_chart_the_ledger_posts_to():
    assert set(Account.objects.values_list("code", "name", "type")) == set(chart.CHART)
