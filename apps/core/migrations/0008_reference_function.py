"""reference_next(prefix, sequence): the column default behind every human reference
(apps/core/references.py). Frozen here as written."""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION reference_next(prefix text, seq text) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT prefix || '-' || to_char(now() AT TIME ZONE 'Asia/Kolkata', 'YYYY') || '-'
           || lpad(n::text, greatest(6, length(n::text)), '0')
    FROM (SELECT nextval(seq::regclass) AS n) AS next
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0007_closed_business_day")]
    operations = [migrations.RunSQL(SQL, "DROP FUNCTION IF EXISTS reference_next(text, text);")]
