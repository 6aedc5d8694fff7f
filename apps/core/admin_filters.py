"""Changelist filters whose options are known without reading the table.

Django builds the sidebar of a `list_filter` field that has no choices from
`SELECT DISTINCT field FROM table`, and `date_hierarchy` from `SELECT DISTINCT date_trunc(...)`:
each a full scan of a big table on every page view. For such a field, offer a fixed list
instead (values known to the code, or computed from today), and filter dates with a plain
date list_filter, which needs no query at all.
"""

from collections.abc import Callable, Iterable

from django.contrib import admin

Options = Iterable[str | tuple[str, str]]


def fixed_choices_filter(
    field: str, options: Options | Callable[[], Options], *, title: str = ""
) -> type[admin.SimpleListFilter]:
    """A filter on `field` offering `options`: values, (value, label) pairs, or a callable
    returning them, called per request (for options that depend on the date)."""

    class FixedChoicesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            listed = options() if callable(options) else options
            return [(option, option) if isinstance(option, str) else option for option in listed]

        def queryset(self, request, queryset):
            value = self.value()
            return queryset if value is None else queryset.filter(**{field: value})

    FixedChoicesFilter.title = title or field.replace("_", " ")
    FixedChoicesFilter.__name__ = FixedChoicesFilter.__qualname__ = f"FixedChoicesFilter_{field}"
    return FixedChoicesFilter


def work_first_filter(
    name: str, *, title: str, work: Callable, work_label: str, all_label: str
) -> type[admin.SimpleListFilter]:
    """A worklist that opens on the rows needing work (`work(queryset)`) and offers one more
    option, everything (paid and closed cases, matched settlement rows)."""

    class WorkFirstFilter(admin.SimpleListFilter):
        parameter_name = name

        def lookups(self, request, model_admin):
            return [("all", all_label)]

        def choices(self, changelist):
            yield {
                "selected": self.value() is None,
                "query_string": changelist.get_query_string(remove=[self.parameter_name]),
                "display": work_label,
            }
            yield {
                "selected": self.value() == "all",
                "query_string": changelist.get_query_string({self.parameter_name: "all"}),
                "display": all_label,
            }

        def queryset(self, request, queryset):
            return queryset if self.value() == "all" else work(queryset)

    WorkFirstFilter.title = title
    WorkFirstFilter.__name__ = WorkFirstFilter.__qualname__ = f"WorkFirstFilter_{name}"
    return WorkFirstFilter
