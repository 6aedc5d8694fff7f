"""A changelist paginator that never runs COUNT(*) over a big table.

The count is PostgreSQL's planner estimate (pg_class.reltuples unfiltered, the plan's row
estimate when filtered); only when the estimate is small is the exact count taken, because
then it is cheap and exactness reads better.
"""

import json

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_BELOW = 10_000


def _planner_rows(queryset) -> int:
    query = queryset.query
    if not query.where:
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [queryset.model._meta.db_table])
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] and row[0] > 0 else 0
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatingPaginator(Paginator):
    @cached_property
    def count(self):
        queryset = self.object_list
        if getattr(queryset, "query", None) is None or queryset.query.distinct:
            return super().count
        estimate = _planner_rows(queryset)
        return super().count if estimate < EXACT_BELOW else estimate
