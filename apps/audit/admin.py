from django.contrib import admin

from apps.audit.models import AuditLog
from apps.core.admin_base import ReadOnlyAdmin


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "object_type", "object_id", "actor", "actor_role", "ip", "request_id"]
    list_filter = ["action", "actor_role", "object_type"]
    search_fields = ["=object_id", "=request_id", "action"]
    date_hierarchy = "at"
    list_select_related = ["actor"]
