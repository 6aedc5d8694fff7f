"""django-fsm-2 helpers shared by every model with a protected state field."""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.functions import Now
from django.db.models.sql import UpdateQuery
from django_fsm import ANY_OTHER_STATE, ANY_STATE, FSMFieldMixin


class FSMModelMixin:
    """Lets `refresh_from_db` reload protected FSM fields, safely across threads.

    django-fsm's own mixin lifts the protection by switching `protected` off on the model's
    field object, which every thread shares, and back on afterwards: a refresh in another thread
    in between raises "Direct status modification is not allowed". A protected field refuses a
    write only when the instance already holds a value, so dropping this instance's own values
    first reloads them without touching shared state. The fields are named explicitly because
    Django would otherwise treat a dropped value as deferred and not reload it.
    """

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        protected = {f.attname for f in self._meta.concrete_fields if isinstance(f, FSMFieldMixin) and f.protected}
        if fields is None:
            deferred = self.get_deferred_fields()
            fields = [
                f.attname for f in self._meta.concrete_fields if f.attname not in deferred or f.attname in protected
            ]
            self._prefetched_objects_cache = {}
        for name in protected.intersection(fields):
            self.__dict__.pop(name, None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)


# What a @transition method declares, read back from django-fsm's own metadata: the set-based
# paths move rows only along the edges the one-row path may take.


def transition_meta(method):
    """The django-fsm metadata of a transition, given as `Model.method` or `obj.method`."""
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise TypeError(f"{getattr(method, '__qualname__', method)!r} is not a django-fsm transition")
    return meta


def transition_field(method):
    """The state field a transition moves."""
    return transition_meta(method).field


def transition_sources(method) -> tuple:
    """The states a transition leaves, as declared in its `source=`."""
    return tuple(transition_meta(method).transitions)


def transition_target(method):
    """The one concrete state a transition reaches from every source; TypeError for a
    transition whose target depends on the row (None, RETURN_VALUE, GET_STATE) or its source."""
    targets = {edge.target for edge in transition_meta(method).transitions.values()}
    if len(targets) != 1 or next(iter(targets)) is None or hasattr(next(iter(targets)), "get_state"):
        raise TypeError(f"{method.__qualname__} does not reach one fixed state")
    return next(iter(targets))


def bulk_transition(queryset, method, **values) -> dict:
    """Take `method`'s transition for every row of `queryset` in its source states, set-based.

    One UPDATE per source state (the state a row left is then known, for its audit row),
    `WHERE <the queryset's filter> AND <state> = <source>`, setting the target, `values` (what
    the method's body sets on one row) and the auto_now fields, as `save()` would. Rows in any
    other state are left alone, as the FSM would refuse them. A transition with conditions is
    refused: they are Python, checked one row at a time, and a set-based path would skip them.

    Returns {source state: [primary keys moved from it]}.
    """
    if queryset.query.is_sliced:
        raise TypeError("a sliced queryset cannot be updated")
    meta = transition_meta(method)
    if any(edge.conditions for edge in meta.transitions.values()):
        raise TypeError(f"{method.__qualname__} has conditions; it cannot be taken set-based")
    sources, target = transition_sources(method), transition_target(method)
    if ANY_STATE in sources or ANY_OTHER_STATE in sources or target in sources:
        raise TypeError(f"{method.__qualname__}: a set-based transition needs explicit sources other than its target")
    model, field = queryset.model, transition_field(method)
    auto_now = {f.name: Now() for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    connection = connections[queryset.db]
    pk = f"{connection.ops.quote_name(model._meta.db_table)}.{connection.ops.quote_name(model._meta.pk.column)}"
    moved = {}
    for source in sources:
        # The UPDATE QuerySet.update() would run (same WHERE, same plan), with RETURNING.
        query = queryset.filter(**{field.name: source}).query.chain(UpdateQuery)
        query.add_update_values({**auto_now, **values, field.name: target})
        try:
            sql, params = query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:  # e.g. pk__in=[]: no row to move
            moved[source] = []
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} RETURNING {pk}", params)
            moved[source] = [row[0] for row in cursor.fetchall()]
    return moved
