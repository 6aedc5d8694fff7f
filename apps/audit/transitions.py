"""A state change and its audit row, one door for one row or for a set of rows.

    OVERDUE = AuditedTransition(Loan.mark_overdue, "loan.overdue")
    OVERDUE.one(loan, reason="...")                              # the FSM method, save(), record()
    OVERDUE.many(Loan.objects.filter(dpd__gt=0), reason="...")   # one UPDATE per source, record_many()

Both write the same audit row per object: `action`, before {field: the state it left}, after
{field: the state it reached}, the reason and the actor. The set-based path moves only rows in
the transition's own source states (read from its @transition), so it cannot allow what the
FSM forbids. It cannot run the method's body: what the body sets is given as `sets` (fixed) or
`values` (from the call), and tests/loans/test_transitions.py holds the two paths to the same
result.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from apps.audit.services import record, record_many
from apps.core.fsm import bulk_transition, transition_field, transition_target


@dataclass(frozen=True)
class AuditedTransition:
    method: Callable  # the @transition method, taken from the model class
    action: str  # the audit action both paths write
    # What the method's body sets on one row whatever its arguments, for the set-based path.
    sets: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.method.__name__

    @property
    def state_field(self) -> str:
        return transition_field(self.method).name

    @property
    def target(self):
        return transition_target(self.method)

    def one(self, obj, *args, actor=None, reason: str = "", **kwargs):
        """Call the transition on `obj` (positional and keyword arguments go to the method),
        save it and write its audit row. The caller holds the row lock."""
        before = {self.state_field: str(getattr(obj, self.state_field))}
        getattr(obj, self.name)(*args, **kwargs)
        obj.save()
        record(
            self.action,
            obj=obj,
            before=before,
            after={self.state_field: str(getattr(obj, self.state_field))},
            actor=actor,
            reason=reason,
        )
        return obj

    def many(self, queryset, *, actor=None, reason: str = "", **values) -> list:
        """The transition for every row of `queryset` its FSM allows, set-based, with one audit
        row each (inserted in batches). Returns the primary keys moved."""
        moved = bulk_transition(queryset, self.method, **{**self.sets, **values})
        after = {self.state_field: str(self.target)}
        for source, ids in moved.items():
            record_many(
                self.action,
                object_type=queryset.model._meta.label_lower,
                object_ids=ids,
                before={self.state_field: str(source)},
                after=after,
                actor=actor,
                reason=reason,
            )
        return [pk for ids in moved.values() for pk in ids]
