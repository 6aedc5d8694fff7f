from constance.signals import config_updated
from django.conf import settings
from django.dispatch import receiver

from apps.audit.services import record
from apps.core.signals import audit_event


@receiver(audit_event, dispatch_uid="audit.record_core_event")
def _record_core_event(sender, *, action, object_type, object_id, before=None, after=None, actor=None, reason="", **_):
    record(action, object_type=object_type, object_id=object_id, before=before, after=after, actor=actor, reason=reason)


@receiver(config_updated, dispatch_uid="audit.record_live_setting")
def _record_live_setting(sender, key, old_value, new_value, **_):
    if old_value is None:  # never set before: it was the default
        old_value = settings.CONSTANCE_CONFIG.get(key, (None,))[0]
    if new_value == old_value:
        # constance stores a default the first time it is read (whoever's request reads it):
        # nobody changed anything, so there is nothing to audit.
        return
    record(
        "setting.changed",
        object_type="constance.config",
        object_id=key,
        before={"value": old_value},
        after={"value": new_value},
    )
