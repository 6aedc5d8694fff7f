from django.contrib import admin

from apps.collections.models import Notification, RecoveryAction
from apps.collections.services import recovery_cancel, recovery_complete_from_admin
from apps.core.admin_base import ReadOnlyAdmin
from apps.core.admin_transitions import Button, TransitionButtonsMixin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["for_date", "template", "channel", "status", "user", "sent_at"]
    list_filter = ["status", "channel", "template", "for_date"]
    search_fields = ["=loan__id", "=installment__id"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "loan", "installment"]


@admin.register(RecoveryAction)
class RecoveryActionAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    transition_buttons = [
        Button(
            "complete",
            "Complete recovery",
            recovery_complete_from_admin,
            transition="complete",
            permission="collections.change_recoveryaction",
            fields=(
                ("recovered_amount", "Recovered amount (₹)", "text"),
                ("write_off_remaining", "Write off what remains", "checkbox"),
            ),
        ),
        Button(
            "cancel",
            "Cancel recovery",
            recovery_cancel,
            transition="cancel",
            needs_reason=True,
            permission="collections.change_recoveryaction",
        ),
    ]
    list_display = ["loan", "action_type", "status", "recovered_amount", "written_off_amount", "created_at"]
    list_filter = ["status", "action_type"]
    search_fields = ["=loan__id"]
    raw_id_fields = ["loan"]
    list_select_related = ["loan"]
