"""`record(...)`: the one way to write the audit trail. Call it inside the service's transaction."""

from apps.audit import context
from apps.audit.models import AuditLog


def _object_ref(obj):
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


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
    actor = actor if actor is not None else context.current_user()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditLog.objects.create(
        actor=actor,
        actor_role=getattr(actor, "role", "") or ("SYSTEM" if actor is None else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        reason=reason or "",
        ip=context.client_ip(),
        request_id=context.request_id(),
    )


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
    actor = actor if actor is not None else context.current_user()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    role = getattr(actor, "role", "") or ("SYSTEM" if actor is None else "")
    rows = [
        AuditLog(
            actor=actor,
            actor_role=role,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=before,
            after=after,
            reason=reason,
            ip=context.client_ip(),
            request_id=context.request_id(),
        )
        for object_id in object_ids
    ]
    AuditLog.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
