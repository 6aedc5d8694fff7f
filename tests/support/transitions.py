"""Holding a set-based transition to its one-row path: the same rows move, to the same state
and fields, with the same audit rows (and, for loans, the same classification history)."""

import pytest
from django_fsm import TransitionNotAllowed, can_proceed

from apps.audit.models import AuditLog
from apps.audit.transitions import AuditedTransition
from apps.core.fsm import transition_sources
from apps.loans.models import Loan
from apps.repayments.models import LoanClassificationHistory

# Fields that tell two equivalent rows apart whatever happens to them.
IDENTITY = {
    "id",
    "application",
    "reference",
    "created_at",
    "updated_at",
    "borrower",
    "business",
    "loan",
    "opened_on",
    "invoice",
    "offer",
    "payout_utr",
    "contract_key",
    "contract_sha256",
    "invoice_number",
    "seller_gstin",
    "buyer_gstin",
    "valid_until",
    "verification_reference",
}


def set_state(obj, status):
    """Test set-up only: put a row in a state without a path to it."""
    type(obj).objects.filter(pk=obj.pk).update(status=status)
    obj.refresh_from_db()


def fields(obj) -> dict:
    obj.refresh_from_db()
    return {f.name: f.value_from_object(obj) for f in obj._meta.concrete_fields if f.name not in IDENTITY}


def audit_rows(obj, action: str) -> list:
    return list(
        AuditLog.objects.filter(action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("at")
        .values_list("action", "before", "after", "reason", "actor_id", "actor_role")
    )


def history(loan) -> list:
    return list(
        LoanClassificationHistory.objects.filter(loan=loan).values_list(
            "business_date", "from_classification", "to_classification", "dpd"
        )
    )


def agree(door: AuditedTransition, pairs: dict, bulk_queryset, *, bulk_values=None, one_args=(), one_kwargs=None):
    """Apply `door` set-based to the first row of each pair and one-row to the second."""
    for bulk_row, one_row in pairs.values():
        assert fields(bulk_row) == fields(one_row)  # equivalent before
    before = {state: (bulk_row.updated_at, one_row.updated_at) for state, (bulk_row, one_row) in pairs.items()}
    moved = door.many(bulk_queryset, reason="the reason", **(bulk_values or {}))
    for _state, (_bulk_row, one_row) in pairs.items():
        if can_proceed(getattr(one_row, door.name)):
            door.one(one_row, *one_args, reason="the reason", **(one_kwargs or {}))
        else:
            with pytest.raises(TransitionNotAllowed):
                getattr(one_row, door.name)(*one_args, **(one_kwargs or {}))
    sources = set(transition_sources(door.method))
    assert {str(pk) for pk in moved} == {str(pair[0].pk) for state, pair in pairs.items() if state in sources}
    for state, (bulk_row, one_row) in pairs.items():
        assert fields(bulk_row) == fields(one_row), state
        assert audit_rows(bulk_row, door.action) == audit_rows(one_row, door.action), state
        if isinstance(bulk_row, Loan):
            assert history(bulk_row) == history(one_row), state
        moved_at = [row.updated_at != before[state][n] for n, row in enumerate((bulk_row, one_row))]
        assert moved_at == [state in sources] * 2, state
        if state in sources:
            assert audit_rows(bulk_row, door.action)[0][1:4] == (
                {door.state_field: state},
                {door.state_field: door.target},
                "the reason",
            )
        else:
            assert fields(bulk_row)["status"] == state and audit_rows(bulk_row, door.action) == []
