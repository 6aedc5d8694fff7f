"""Four eyes: operations one staff user asks for and a different ADMIN approves.

The app that owns an operation registers its kind in its `approvals` module (found at start-up
like `jobs` and `handlers`) with `@approval_kind(name, label)` on the handler that carries it
out: `handler(payload, *, actor) -> result dict`, calling the same service as ever.

- `approval_request` records a PENDING Approval with the payload the requester checked,
  audited, and `approval.requested` in the outbox; the requester gets 202 and its id.
- `approval_approve`: an ADMIN who did not ask runs the handler in the approval's transaction —
  the operation and the approval commit together, audited with both names. A handler that
  refuses (the charge was paid meanwhile) leaves the approval PENDING and says why.
- `approval_reject`: with a reason; nothing runs.
A requester never decides their own request (403), whatever their role.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.audit.models import Approval
from apps.audit.services import record
from apps.core.errors import Conflict, Forbidden, InvalidInput, explained_reason, found
from apps.core.outbox import event_emit
from apps.core.roles import Role


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    handler: Callable


KINDS: dict[str, Kind] = {}


def approval_kind(name: str, label: str):
    def register(handler):
        KINDS[name] = Kind(name, label, handler)
        return handler

    return register


def refuse_if_pending(kind: str, object_id, message: str) -> None:
    """409 `approval_pending` while a request of `kind` on the object waits: for the kinds where a
    second request (or the same operation done directly) must not overtake the first."""
    if Approval.objects.filter(kind=kind, object_id=str(object_id), status=Approval.Status.PENDING).exists():
        raise Conflict(message, code="approval_pending")


@transaction.atomic
def approval_request(
    *, kind: str, object_type: str, object_id, payload: dict, reason: str, actor, request_id=None
) -> Approval:
    """`request_id`, when given, makes asking again (a form sent twice) return the first request."""
    if kind not in KINDS:
        raise ValueError(f"no approval kind {kind!r}")
    if request_id is not None:
        earlier = Approval.objects.filter(pk=request_id).first()
        if earlier is not None:
            if earlier.requested_by_id != actor.pk or earlier.kind != kind:
                raise InvalidInput("This form was already used for another request; open it again.", field="token")
            return earlier
    approval = Approval.objects.create(
        **({"id": request_id} if request_id is not None else {}),
        kind=kind,
        object_type=object_type,
        object_id=str(object_id),
        payload=payload,
        reason=explained_reason(reason),
        requested_by=actor,
    )
    record("approval.requested", obj=approval, after={"kind": kind, "payload": payload}, actor=actor, reason=reason)
    event_emit("approval.requested", aggregate=approval, payload={"kind": kind, "object_id": str(object_id)})
    return approval


def _lock_pending(approval_id, actor) -> Approval:
    approval = found(Approval.objects.select_for_update().filter(pk=approval_id).first(), "Approval not found.")
    if approval.requested_by_id == actor.pk:
        raise Forbidden("A request is decided by a second person, never by whoever asked.", code="four_eyes")
    if getattr(actor, "role", None) != Role.ADMIN:
        raise Forbidden("Only an ADMIN decides four-eyes requests.")
    if approval.status != Approval.Status.PENDING:
        raise Conflict(f"The request is already {approval.status}.", code="approval_state")
    return approval


@transaction.atomic
def approval_approve(*, approval_id, actor, reason: str = "") -> Approval:
    approval = _lock_pending(approval_id, actor)
    result = KINDS[approval.kind].handler(approval.payload, actor=actor)
    approval.approve()
    approval.decided_by, approval.decided_at = actor, timezone.now()
    approval.decision_reason = (reason or "").strip()
    approval.result = result or {}
    approval.save()
    record(
        "approval.approved",
        obj=approval,
        after={"kind": approval.kind, "result": approval.result, "requested_by": str(approval.requested_by_id)},
        actor=actor,
        reason=approval.decision_reason,
    )
    return approval


@transaction.atomic
def approval_reject(*, approval_id, actor, reason: str) -> Approval:
    reason = explained_reason(reason)
    approval = _lock_pending(approval_id, actor)
    approval.reject()
    approval.decided_by, approval.decided_at, approval.decision_reason = actor, timezone.now(), reason
    approval.save()
    record("approval.rejected", obj=approval, after={"kind": approval.kind}, actor=actor, reason=reason)
    return approval
