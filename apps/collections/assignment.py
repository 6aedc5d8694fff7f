"""Round-robin assignment of open cases to collectors, one statement for one case or a night's
hundred thousand.

Fair: each collector's free places (from their open cases + 1 up to COLLECTOR_MAX_OPEN_CASES)
are numbered lowest load first, then by who was given a case longest ago, then by id, and the
cases take those places in turn. Two collectors level with each other take alternate cases;
one who is behind catches up before the others get more; a full collector is skipped; cases
beyond everyone's capacity stay unassigned (the worklist shows them) until the next sync.
Without races: the statement runs under a transaction advisory lock, so two openings at once
take their places one after the other, each seeing the other's cases counted.
"""

import datetime
import zlib

from constance import config
from django.db import connection

from apps.audit.services import record_many
from apps.collections.models import CaseEvent, CollectionCase
from apps.core.roles import Role

_LOCK = zlib.crc32(b"collections.assignment")

_ASSIGN_SQL = """
WITH load AS (
    SELECT u.id, count(c.id) AS open_cases, max(c.assigned_at) AS last_at
    FROM accounts_user u
    LEFT JOIN collections_collectioncase c ON c.assigned_to_id = u.id AND c.status = ANY(%(open)s)
    WHERE u.role = %(collector)s AND u.is_active AND NOT u.is_frozen
    GROUP BY u.id
), places AS (
    SELECT load.id AS collector_id,
           row_number() OVER (ORDER BY place, load.last_at NULLS FIRST, load.id) AS k
    FROM load CROSS JOIN LATERAL generate_series(load.open_cases + 1, %(most)s) AS place
), todo AS (
    SELECT c.id, row_number() OVER (ORDER BY c.amount_overdue DESC, c.id) AS k
    FROM collections_collectioncase c
    WHERE c.assigned_to_id IS NULL AND c.status = ANY(%(worked)s) {only}
), given AS (
    UPDATE collections_collectioncase c
    SET assigned_to_id = places.collector_id, assigned_at = now(), updated_at = now()
    FROM todo JOIN places USING (k)
    WHERE c.id = todo.id
    RETURNING c.id, c.assigned_to_id
), history AS (
    INSERT INTO collections_caseevent (case_id, type, business_date, at, data)
    SELECT given.id, %(event)s, %(day)s, now(),
           jsonb_build_object('to', given.assigned_to_id::text, 'to_name', u.username, 'by', 'round-robin')
    FROM given JOIN accounts_user u ON u.id = given.assigned_to_id
)
SELECT id, assigned_to_id FROM given
"""


def cases_assign_round_robin(*, day: datetime.date, case_ids=None) -> list[tuple]:
    """Assign the unassigned open cases (only `case_ids` when given). Returns (case, collector)
    pairs, each with its CASE_ASSIGNED event and audit row."""
    params = {
        "open": [str(s) for s in CollectionCase.OPEN_STATUSES],
        "worked": [str(s) for s in CollectionCase.WORKED_STATUSES],
        "collector": str(Role.COLLECTOR),
        "most": config.COLLECTOR_MAX_OPEN_CASES,
        "event": str(CaseEvent.Type.CASE_ASSIGNED),
        "day": day,
        "ids": list(case_ids or []),
    }
    sql = _ASSIGN_SQL.format(only="AND c.id = ANY(%(ids)s)" if case_ids is not None else "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        cursor.execute(sql, params)
        pairs = cursor.fetchall()
    by_collector: dict = {}
    for case_id, collector_id in pairs:
        by_collector.setdefault(collector_id, []).append(case_id)
    for collector_id, ids in by_collector.items():
        record_many(
            "collection_case.assigned",
            object_type="collections.collectioncase",
            object_ids=ids,
            before={"assigned_to": None},
            after={"assigned_to": str(collector_id)},
            reason="round-robin",
        )
    return pairs
