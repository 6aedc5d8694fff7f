"""`rows_update`: write some fields of many model instances in one UPDATE ... FROM unnest(...).

Django's `bulk_update` builds a CASE WHEN per field and row; on a batch of fifty rows that is
thousands of expression objects to resolve and compile, and the set-based money paths spent
most of their time there. Here each field is one typed array parameter, the SQL text depends
only on the model and the fields, and PostgreSQL matches rows by primary key.
"""

from django.db import connection


def rows_update(model, rows, fields: list[str]) -> int:
    """UPDATE `fields` of `rows` (instances of `model`, saved before) to the values they hold.
    Like `bulk_update`, no `save()`: auto_now fields are written as the instance holds them."""
    rows = list(rows)
    if not rows:
        return 0
    meta = model._meta
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]
    arrays = [[pk.get_db_prep_value(row.pk, connection) for row in rows]]
    for field in columns:
        arrays.append([field.get_db_prep_save(getattr(row, field.attname), connection) for row in rows])
    names = [pk.column, *(field.column for field in columns)]
    # A key's type as a column that refers to it: "bigint" for an identity key, not its DDL.
    types = [pk.rel_db_type(connection), *(field.db_type(connection) for field in columns)]
    unnest = ", ".join(f"%s::{kind}[]" for kind in types)
    assignments = ", ".join(f'"{column}" = v."{column}"' for column in names[1:])
    quoted = ", ".join(f'"{column}"' for column in names)
    sql = (
        f'UPDATE "{meta.db_table}" AS t SET {assignments} '  # noqa: S608 (names from the model's own metadata)
        f'FROM unnest({unnest}) AS v({quoted}) WHERE t."{pk.column}" = v."{pk.column}"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return cursor.rowcount
