"""`ledger_post`: one posting as one server-side function call.

The entry, its lines and both balance snapshots are written by static statements inside a
PL/pgSQL function, so PostgreSQL plans them once per connection instead of once per posting,
and the client sends one short fixed query with arrays. Snapshot rows are upserted in key
order (account, then loan and account), the lock order every posting takes, so concurrent
postings never deadlock on them. The balance trigger still re-checks the entry at commit.
"""

from pathlib import Path

from django.db import migrations

# The function's text lives in a versioned file beside the app, never edited once shipped: a
# change is a new version and a new migration (0004 installs v2).
CREATE = (Path(__file__).resolve().parent.parent / "sql" / "ledger_post_v1.sql").read_text()

DROP = """
DROP FUNCTION ledger_post(uuid, varchar, date, varchar, uuid, varchar, varchar, uuid, uuid, varchar, varchar,
                          varchar[], numeric[], numeric[], uuid[], uuid[]);
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_seed_chart")]
    operations = [migrations.RunSQL(CREATE, DROP)]
