"""The money rails in the console: every webhook the rail sent, raw, with what became of it, and
the dead letters ops replay once the cause is fixed."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline, WorklistAdmin
from apps.core.admin_filters import fixed_choices_filter, work_first_filter
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.core.errors import DomainError
from apps.loans.admin import LOAN_PAGE
from apps.loans.models import Payout
from apps.loans.services.payouts import payouts_send
from apps.payments.intents import credit_apply, credit_refund
from apps.payments.models import (
    Mandate,
    PaymentIntent,
    SettlementFile,
    SettlementRow,
    UnappliedCredit,
    UnsettledRepayment,
    WebhookEvent,
)
from apps.payments.settlements import settlement_row_resolve, settlement_upload, unsettled_repayments
from apps.payments.webhooks import APPLIERS, webhook_events_replay


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "event_id", "status", "attempts", "received_at", "applied_at"]
    # The types we apply, from the registry: not a DISTINCT over every event ever received.
    list_filter = ["status", fixed_choices_filter("type", lambda: sorted(APPLIERS), title="type")]
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


class SettlementUploadForm(forms.Form):
    file = forms.FileField(help_text="The rail's settlement CSV: provider_reference,utr,amount,settled_on")


@admin.register(SettlementFile)
class SettlementFileAdmin(ReadOnlyAdmin):
    """The rail's settlement files; "Add" uploads one and reconciles it at once."""

    list_display = ["created_at", "name", "rows", "matched", "unmatched", "mismatched", "uploaded_by"]
    list_select_related = ["uploaded_by"]

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("payments.add_settlementfile")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SettlementUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                settlement = settlement_upload(name=upload.name, content=upload.read(), actor=request.user)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                self.message_user(
                    request,
                    f"{settlement.rows} rows: {settlement.matched} matched, {settlement.unmatched} unmatched, "
                    f"{settlement.mismatched} with another amount.",
                    messages.SUCCESS if settlement.matched == settlement.rows else messages.WARNING,
                )
                return HttpResponseRedirect(reverse("admin:payments_settlementrow_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Upload a settlement file",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/settlement_upload.html", context)


BreaksFilter = work_first_filter(
    "rows",
    title="rows",
    work=lambda rows: rows.filter(status__in=[SettlementRow.Status.UNMATCHED, SettlementRow.Status.MISMATCHED]),
    work_label="Breaks to resolve",
    all_label="All rows",
)


@admin.register(SettlementRow)
class SettlementRowAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    list_display = ["settled_on", "utr", "amount", "booked_amount", "status", "loan", "file"]
    list_filter = [BreaksFilter, "status"]
    search_fields = ["=utr", "=provider_reference"]
    list_select_related = ["loan", "file"]
    show_facets = admin.ShowFacets.NEVER
    transition_buttons = [
        Button(
            "resolve",
            "Resolve with a note",
            settlement_row_resolve,
            transition="resolve",
            key="row_id",
            needs_reason=True,
        )
    ]


@admin.register(UnsettledRepayment)
class UnsettledRepaymentWorklist(WorklistAdmin):
    """Repayments the rail collected over two days ago with no settlement confirming them."""

    list_display = ["business_date", "loan", "amount", "channel", "external_reference"]
    list_select_related = ["loan"]
    search_fields = ["=external_reference"]
    ordering = ["business_date", "id"]
    csv_fields = ["business_date", "loan__reference", "amount", "channel", "external_reference"]

    def worklist_queryset(self, queryset):
        return unsettled_repayments()


@admin.register(Mandate)
class MandateAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "loan", "type", "status", "umrn", "max_amount", "start_date", "end_date"]
    list_filter = ["status", "type"]
    search_fields = ["=umrn", "=loan__reference"]
    list_select_related = ["loan"]
    show_facets = admin.ShowFacets.NEVER


@LOAN_PAGE.add_inline
class MandateInline(ReadOnlyInline):
    model = Mandate
    verbose_name_plural = "mandates"
    fields = readonly_fields = ["created_at", "type", "status", "umrn", "max_amount", "status_reason"]
    show_change_link = True


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    """Every payout as the rail sees it: where it went, how many sends, who settled it. A payout
    the rail never answered is sent again by the `payout_retry` job; "Send again now" does it at
    once (same reference: a payout that went through is answered, not paid twice). Confirming
    with a UTR, or failing it, is on the loan's page (the rail's report names the loan)."""

    list_display = ["created_at", "loan", "amount", "status", "utr", "attempts", "settled_by", "reference"]
    list_filter = ["status"]
    search_fields = ["=reference", "=utr", "=loan__reference"]
    list_select_related = ["loan"]
    show_facets = admin.ShowFacets.NEVER
    actions = ["send_again"]
    fields = readonly_fields = [
        "reference",
        "loan",
        "amount",
        "bank_account",
        "status",
        "sandbox_rail",
        "utr",
        "failure_reason",
        "attempts",
        "last_error",
        "acknowledged_at",
        "next_attempt_at",
        "settled_by",
        "created_at",
    ]

    @admin.display(description="Sandbox rail")
    def sandbox_rail(self, obj):
        """In the sandbox, the rail's own page for a payout it left pending: say how it ended there
        and its signed webhook comes back through the real endpoint."""
        if not settings.SANDBOX or obj.status != Payout.Status.PENDING:
            return "-"
        url = reverse("sandbox-rail-payout", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">Open the payout on the sandbox rail</a>', url)

    @admin.action(description="Send again now (unanswered pending payouts)", permissions=["change"])
    def send_again(self, request, queryset):
        chosen = queryset.filter(status=Payout.Status.PENDING, acknowledged_at__isnull=True)
        counts = payouts_send(chosen.values_list("pk", flat=True), actor=request.user)
        sent = counts.pop("sent")
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()) if n) if sent else ""
        summary = summary or "nothing to send"
        self.message_user(request, f"Sent again: {summary}.", messages.INFO)

    def has_change_permission(self, request, obj=None):
        # The action needs "change"; the page itself stays read-only.
        return obj is None and request.user.has_perm("loans.change_loan")


@LOAN_PAGE.add_inline
class PayoutInline(ReadOnlyInline):
    model = Payout
    verbose_name_plural = "payout"
    fields = readonly_fields = ["reference", "amount", "bank_account", "status", "utr", "attempts", "last_error"]
    show_change_link = True
