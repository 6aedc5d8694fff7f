"""The money rails in the console: every webhook the rail sent, raw, with what became of it, and
the dead letters ops replay once the cause is fixed."""

from django.contrib import admin, messages
from django.utils.html import format_html

from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.loans.admin import LOAN_PAGE
from apps.payments.intents import credit_apply, credit_refund
from apps.payments.models import PaymentIntent, UnappliedCredit, WebhookEvent
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


@admin.register(PaymentIntent)
class PaymentIntentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "loan", "method", "amount", "status", "utr", "provider_reference"]
    list_filter = ["status", "method"]
    search_fields = ["=utr", "=provider_reference", "=id", "=loan__reference"]
    list_select_related = ["loan"]
    show_facets = admin.ShowFacets.NEVER


@admin.register(UnappliedCredit)
class UnappliedCreditAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    """Money received beyond a loan's dues: ops apply it to the loan or refund it."""

    list_display = ["created_at", "loan", "amount", "utr", "status", "settled_by"]
    list_filter = ["status"]
    search_fields = ["=utr", "=loan__reference"]
    list_select_related = ["loan", "settled_by"]
    show_facets = admin.ShowFacets.NEVER
    transition_buttons = [
        Button(
            "apply",
            "Apply to a loan's dues",
            credit_apply,
            transition="apply",
            key="credit_id",
            fields=(("loan_reference", "Loan (LN-…): blank for this credit's own loan", "text"),),
        ),
        Button(
            "refund", "Refund to the borrower", credit_refund, transition="refund", key="credit_id", needs_reason=True
        ),
    ]


@LOAN_PAGE.add_inline
class PaymentIntentInline(ReadOnlyInline):
    model = PaymentIntent
    verbose_name_plural = "payments on the rail"
    fields = readonly_fields = ["created_at", "method", "amount", "status", "utr", "failure_code"]
    show_change_link = True


@LOAN_PAGE.add_inline
class UnappliedCreditInline(ReadOnlyInline):
    model = UnappliedCredit
    verbose_name_plural = "unapplied credits"
    fields = readonly_fields = ["created_at", "amount", "utr", "status", "settled_reason"]
    show_change_link = True
