"""The money rails in the console: every webhook the rail sent, raw, with what became of it, and
the dead letters ops replay once the cause is fixed."""

from django.contrib import admin, messages
from django.utils.html import format_html

from apps.core.admin_base import ReadOnlyAdmin
from apps.payments.models import WebhookEvent
from apps.payments.webhooks import webhook_events_replay


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "event_id", "status", "attempts", "received_at", "applied_at"]
    list_filter = ["status", "type"]
    search_fields = ["=event_id"]
    show_facets = admin.ShowFacets.NEVER
    actions = ["replay"]
    readonly_fields = ["signature_verdict", "raw"]
    fields = [
        "event_id",
        "type",
        "status",
        "attempts",
        "last_error",
        "created",
        "received_at",
        "next_attempt_at",
        "applied_at",
        "result",
        "signature_verdict",
        "raw",
    ]

    @admin.display(description="signature")
    def signature_verdict(self, event):
        # Only verified events are stored: a bad or stale signature was answered 401 and dropped.
        return f"verified, signed at {event.signed_at:%d %b %Y %H:%M:%S} UTC"

    @admin.display(description="raw body")
    def raw(self, event):
        return format_html("<pre class='raw-body'>{}</pre>", event.raw_body)

    @admin.action(description="Replay the selected dead letters", permissions=["change"])
    def replay(self, request, queryset):
        moved = webhook_events_replay(event_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(request, f"{moved} event(s) queued to apply again.", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        # The replay action needs "change"; the page itself stays read-only.
        return obj is None and request.user.has_perm("payments.change_webhookevent")
