from django.dispatch import receiver

from apps.audit.services import record
from apps.core.signals import audit_event


@receiver(audit_event, dispatch_uid="audit.record_core_event")
def _record_core_event(sender, *, action, object_type, object_id, before=None, after=None, actor=None, reason="", **_):
    record(action, object_type=object_type, object_id=object_id, before=before, after=after, actor=actor, reason=reason)
