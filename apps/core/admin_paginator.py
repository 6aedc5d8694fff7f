"""A changelist paginator that never runs COUNT(*) over a big unfiltered table.

Unfiltered, the count is PostgreSQL's planner estimate (pg_class.reltuples); filtered querysets
are counted normally, because a selective filter makes the count cheap and exactness matters.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_BELOW = 10_000


class EstimatingPaginator(Paginator):
    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or query.where or query.distinct:
            return super().count
        with connections[queryset.db].cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [queryset.model._meta.db_table])
            row = cursor.fetchone()
        estimate = int(row[0]) if row and row[0] and row[0] > 0 else 0
        return super().count if estimate < EXACT_BELOW else estimate
