"""`record(...)`: the one way to write the audit trail. Call it inside the service's transaction."""

from itertools import islice

from apps.audit import context
from apps.audit.models import AuditLog


def _object_ref(obj):
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def _system_or(actor):
    """The acting user: the one given, else the request's, else nobody (a job, a webhook)."""
    actor = actor if actor is not None else context.current_user()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        return None
    return actor


def _role(actor) -> str:
    return getattr(actor, "role", "") or ("SYSTEM" if actor is None else "")


def record(
    action: str,
    *,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    before=None,
    after=None,
    actor=None,
    reason: str = "",
) -> AuditLog:
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    actor = _system_or(actor)
    return AuditLog.objects.create(
        actor=actor,
        actor_role=_role(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        reason=reason or "",
        ip=context.client_ip(),
        request_id=context.request_id(),
    )


BATCH = 2000


def _batched(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def record_many(
    action: str,
    *,
    object_type: str,
    object_ids,
    before=None,
    after=None,
    actor=None,
    reason: str = "",
) -> int:
    """One audit row per object for a set-based change (a nightly job), in one INSERT."""
    actor = _system_or(actor)
    role = _role(actor)
    ip, request_id = context.client_ip(), context.request_id()
    written = 0
    # Built and inserted a batch at a time: a night that reclassifies a hundred thousand loans
    # must not hold a hundred thousand model instances in memory.
    for batch in _batched(object_ids, BATCH):
        AuditLog.objects.bulk_create(
            [
                AuditLog(
                    actor=actor,
                    actor_role=role,
                    action=action,
                    object_type=object_type,
                    object_id=str(object_id),
                    before=before,
                    after=after,
                    reason=reason,
                    ip=ip,
                    request_id=request_id,
                )
                for object_id in batch
            ]
        )
        written += len(batch)
    return written


def record_each(action: str, rows, *, actor=None) -> int:
    """One audit row per (object, after) pair, in one INSERT: the set-based twin of `record`
    for a change that is the same action on many objects with different details."""
    actor = _system_or(actor)
    role, ip, request_id = _role(actor), context.client_ip(), context.request_id()
    logs = []
    for obj, after in rows:
        object_type, object_id = _object_ref(obj)
        logs.append(
            AuditLog(
                actor=actor,
                actor_role=role,
                action=action,
                object_type=object_type,
                object_id=object_id,
                after=after,
                reason="",
                ip=ip,
                request_id=request_id,
            )
        )
    AuditLog.objects.bulk_create(logs)
    return len(logs)
