"""Walking a night's candidate loans in chunks: the close of business gathers the loans a step
must touch into a temporary table once, then takes them CHUNK at a time by key, each chunk in
its own transaction (flat memory, no re-scan of the installments, a killed run loses one chunk)."""

from collections.abc import Callable

from django.db import connection, transaction

CHUNK = 5000


def rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def walk_loan_chunks(
    table: str, fill: list[str], params: dict, step: Callable[[list], tuple[int, int]]
) -> tuple[int, int]:
    """Runs `fill` (which creates and fills the temporary `table` of loan_id), then `step` on each
    chunk of loan ids in order, each in its own transaction; the two counts `step` returns, summed."""
    for sql in fill:
        execute(sql, params)
    first = second = 0
    after = None
    while True:
        ids = [
            row[0]
            for row in rows(
                f"SELECT loan_id FROM {table} WHERE %(after)s::uuid IS NULL OR loan_id > %(after)s::uuid "
                "ORDER BY loan_id LIMIT %(limit)s",
                {"after": after, "limit": CHUNK},
            )
        ]
        if not ids:
            execute(f"DROP TABLE IF EXISTS {table}", {})
            return first, second
        with transaction.atomic():
            a, b = step(ids)
        first, second, after = first + a, second + b, ids[-1]
