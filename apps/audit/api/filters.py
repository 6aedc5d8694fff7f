import django_filters

from apps.audit.models import AuditLog


class AuditLogFilter(django_filters.FilterSet):
    action = django_filters.CharFilter()
    object_type = django_filters.CharFilter()
    object_id = django_filters.CharFilter()
    actor = django_filters.UUIDFilter(field_name="actor_id")

    class Meta:
        model = AuditLog
        fields = ["action", "object_type", "object_id", "actor"]
