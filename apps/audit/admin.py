from django.apps import apps
from django.contrib import admin

from apps.audit.models import AuditLog
from apps.core.admin_base import ReadOnlyAdmin, short_id
from apps.core.admin_filters import fixed_choices_filter
from apps.core.roles import Role

# record() writes the actor's role, or SYSTEM when a job or a signal acted without one.
ACTOR_ROLES = [*Role.choices, ("SYSTEM", "System")]


def _object_types() -> list[str]:
    """What record() puts in object_type: the label of a model of this project (or the live
    settings'), known from the app registry rather than read from the table."""
    labels = {model._meta.label_lower for model in apps.get_models() if model.__module__.startswith("apps.")}
    return sorted(labels | {"constance.config"})


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "object_type", "object", "actor", "actor_role", "ip", "request_ref"]
    # No filter on action: its values are open-ended, so Django would list them with a DISTINCT
    # over the whole log on every page; the prefix search below finds them instead. "at" is a
    # date filter rather than date_hierarchy, whose links come from another DISTINCT scan.
    list_filter = [
        fixed_choices_filter("actor_role", ACTOR_ROLES, title="actor role"),
        fixed_choices_filter("object_type", _object_types, title="object type"),
        "at",
    ]
    # action__startswith is LIKE 'term%', served by the varchar_pattern_ops index Django adds for
    # db_index=True; "^action" (istartswith) would compare UPPER(action) and scan the table.
    search_fields = ["=object_id", "=request_id", "action__startswith"]
    list_select_related = ["actor"]

    @admin.display(description="object", ordering="object_id")
    def object(self, log):
        return short_id(log.object_id)

    @admin.display(description="request", ordering="request_id")
    def request_ref(self, log):
        return short_id(log.request_id)
