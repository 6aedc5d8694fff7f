"""Changelist search that stays on indexes at a million rows.

Django's `=field` means `iexact`, which PostgreSQL answers with `UPPER(col::text) = UPPER(...)`:
a sequential scan, and across joined tables an OR of them all. Here `=field` is an exact match,
tried only on fields whose type can hold the term (a GSTIN is never compared with a uuid), and
a lookup through a relation is resolved to the related ids first, so the final filter is an OR
of indexed equalities on the model's own columns.
"""

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import CharField, Q

PREFIXES = {"^": "istartswith", "=": "exact", "@": "search"}
RELATED_LIMIT = 100


def _lookup(spec: str) -> tuple[str, str]:
    if spec[0] in PREFIXES:
        return spec[1:], PREFIXES[spec[0]]
    if "__" in spec and spec.rsplit("__", 1)[1] in {"istartswith", "startswith", "exact", "iexact", "icontains"}:
        path, lookup = spec.rsplit("__", 1)
        return path, lookup
    return spec, "icontains"


def _fits(model, path: str, term: str) -> bool:
    """Whether the last field of `path` can hold `term` (else comparing would be an error or a miss)."""
    parts = path.split("__")
    try:
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
        field = model._meta.get_field(parts[-1])
    except (FieldDoesNotExist, AttributeError):
        return False
    if isinstance(field, CharField) and field.max_length and len(term) > field.max_length:
        return False
    try:
        field.to_python(term)
    except ValidationError:
        return False
    return True


def _condition(model, path: str, lookup: str, term: str) -> Q | None:
    if not _fits(model, path, term):
        return None
    head, _, rest = path.partition("__")
    if not rest:
        return Q(**{f"{path}__{lookup}": term})
    relation = model._meta.get_field(head)
    if rest in ("id", "pk") and lookup == "exact":
        return Q(**{relation.attname: term})
    ids = list(
        relation.related_model.objects.filter(**{f"{rest}__{lookup}": term}).values_list("pk", flat=True)[
            :RELATED_LIMIT
        ]
    )
    return Q(**{f"{head}__in": ids}) if ids else None


class IndexedSearchMixin:
    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term or not self.search_fields:
            return queryset, False
        condition = Q()
        for spec in self.search_fields:
            path, lookup = _lookup(spec)
            part = _condition(queryset.model, path, lookup, term)
            if part is not None:
                condition |= part
        return (queryset.filter(condition) if condition else queryset.none()), False
