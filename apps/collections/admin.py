from django.contrib import admin

from apps.collections.models import Notification, RecoveryAction
from apps.collections.services import recovery_cancel, recovery_complete
from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.loans.admin import LOAN_PAGE


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["for_date", "template", "channel", "status", "user", "sent_at"]
    list_filter = ["status", "channel", "template", "for_date"]
    search_fields = ["=loan__id", "=installment__id"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "loan", "installment"]


def _complete_from_form(*, action_id, actor, recovered_amount, write_off_remaining=False):
    """The admin form's strings and checkbox, as the service takes them (a blank amount is 0)."""
    return recovery_complete(
        action_id=action_id,
        recovered_amount=recovered_amount or "0",
        write_off_remaining=bool(write_off_remaining),
        actor=actor,
    )


@admin.register(RecoveryAction)
class RecoveryActionAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    transition_buttons = [
        Button(
            "complete",
            "Complete recovery",
            _complete_from_form,
            transition="complete",
            key="action_id",
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
            key="action_id",
            needs_reason=True,
            permission="collections.change_recoveryaction",
        ),
    ]
    list_display = ["loan", "action_type", "status", "recovered_amount", "written_off_amount", "created_at"]
    list_filter = ["status", "action_type"]
    search_fields = ["=loan__id"]
    raw_id_fields = ["loan"]
    list_select_related = ["loan"]


@LOAN_PAGE.add_inline
class RecoveryInline(ReadOnlyInline):
    model = RecoveryAction
    fields = readonly_fields = ["action_type", "status", "recovered_amount", "written_off_amount", "completed_on"]
