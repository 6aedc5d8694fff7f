from django.contrib import admin

from apps.collections.models import Notification, RecoveryAction
from apps.core.admin_base import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["for_date", "template", "channel", "status", "user", "sent_at"]
    list_filter = ["status", "channel", "template", "for_date"]
    search_fields = ["=loan__id", "=installment__id"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "loan", "installment"]


@admin.register(RecoveryAction)
class RecoveryActionAdmin(ReadOnlyAdmin):
    list_display = ["loan", "action_type", "status", "recovered_amount", "written_off_amount", "created_at"]
    list_filter = ["status", "action_type"]
    search_fields = ["=loan__id"]
    raw_id_fields = ["loan"]
    list_select_related = ["loan"]
