"""Collections in the console: the case worklist (a collector's own cases, every case for
OFFICER and ADMIN), the case page with its actions, events and forms, the bulk reassignment,
the supervisor's view of the desk; and recovery, reminders."""

import datetime
from decimal import Decimal

from constance import config
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html

from apps.collections.admin_forms import CaseActionForm, CaseReassignForm, active_collectors, is_open
from apps.collections.approvals import recovery_finish
from apps.collections.cases import cases_reassign
from apps.collections.models import CaseAction, CaseEvent, CollectionCase, Notification, PromiseToPay, RecoveryAction
from apps.collections.selectors import cases_visible_to, worklist_order
from apps.collections.services import recovery_cancel
from apps.core.admin_base import ModelAdmin, ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_csv import CsvExportMixin
from apps.core.admin_filters import fixed_choices_filter, work_first_filter
from apps.core.admin_pages import FormAction, FormActionsMixin
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.core.business_date import get_business_date
from apps.core.errors import DomainError
from apps.core.inr import inr
from apps.core.roles import OPS_ROLES
from apps.loans.admin import LOAN_PAGE


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["for_date", "template", "channel", "status", "user", "sent_at"]
    list_filter = ["status", "channel", "template", "for_date"]
    search_fields = ["=loan__id", "=installment__id"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "loan", "installment"]


def _complete_from_form(*, action_id, actor, recovered_amount, write_off_remaining=False, reason=""):
    """The admin form's strings and checkbox, as the service takes them (a blank amount is 0);
    a write-off sent for four eyes says so."""
    _action, approval = recovery_finish(
        action_id=action_id,
        recovered_amount=recovered_amount or "0",
        write_off_remaining=bool(write_off_remaining),
        reason=reason,
        actor=actor,
    )
    if approval is not None:
        return (
            f"Recovery completed. The write-off of {inr(Decimal(approval.payload['amount']))} is above "
            f"{inr(Decimal(config.WRITE_OFF_FOUR_EYES_AMOUNT))}: it is booked when an ADMIN other than you "
            "approves it under Worklists → Approvals."
        )
    return None


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
                ("reason", "Why write off (for the approver, when a second person must approve)", "text"),
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


# ---- Collection cases ---------------------------------------------------------------------------

BUCKETS = [("SMA_0", "SMA-0"), ("SMA_1", "SMA-1"), ("SMA_2", "SMA-2"), ("NPA", "NPA")]


def _is_ops(request) -> bool:
    return getattr(request.user, "role", None) in OPS_ROLES


OpenOnlyFilter = work_first_filter(
    "state",
    title="state",
    work=lambda cases: cases.filter(status__in=CollectionCase.OPEN_STATUSES),
    work_label="Open",
    all_label="All, with paid and closed",
)


class CaseActionInline(ReadOnlyInline):
    model = CaseAction
    fk_name = "case"
    verbose_name_plural = "actions, newest first"
    fields = readonly_fields = ["created_at", "type", "outcome", "notes", "promise", "actor"]
    ordering = ["-created_at"]
    show_change_link = False


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    verbose_name_plural = "history, newest first"
    fields = readonly_fields = ["business_date", "type", "summary", "actor", "at"]
    ordering = ["-id"]
    show_change_link = False


class PromiseInline(ReadOnlyInline):
    model = PromiseToPay
    verbose_name_plural = "promises to pay"
    fields = readonly_fields = ["promised_on", "amount", "due_on", "amount_paid", "status", "settled_on", "made_by"]
    show_change_link = False


class ReassignBulkForm(forms.Form):
    collector = forms.ModelChoiceField(queryset=active_collectors(), empty_label=None)


# Where a case stands: its state, the loan's arrears as last synced, and any promise.
CASE_STANDING = ["status", "bucket", "dpd", "amount_overdue", "principal_outstanding", "ptp_amount", "ptp_due_on"]


@admin.register(CollectionCase)
class CollectionCaseAdmin(CsvExportMixin, FormActionsMixin, ModelAdmin):
    """The worklist of cases and each case's page. A COLLECTOR sees only the cases assigned to
    them (any other is "not found", as over the API); OFFICER and ADMIN see every case, filter by
    collector and reassign cases in bulk."""

    list_display = [
        "loan_ref",
        "business_name",
        "phone",
        "status",
        "bucket_label",
        "dpd",
        "overdue_inr",
        "promise",
        "collector",
        "last_action",
        "next_action_on",
    ]
    list_display_links = ["loan_ref"]
    list_filter = [OpenOnlyFilter, "status", fixed_choices_filter("bucket", BUCKETS, title="bucket")]
    search_fields = ["=loan__reference", "=loan__id", "=business__gstin"]
    list_select_related = ["loan", "business", "assigned_to", "loan__borrower"]
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    sortable_by = []
    actions = ["reassign"]
    inlines = [PromiseInline, CaseActionInline, CaseEventInline]
    form_actions = [
        FormAction("log_action", "Log a call, visit or promise", CaseActionForm, "collections.add_caseaction", is_open),
        FormAction(
            "reassign", "Give to another collector", CaseReassignForm, "collections.change_collectioncase", is_open
        ),
    ]
    change_form_template = "admin/transition_change_form.html"
    csv_fields = [
        "loan__reference",
        "business__legal_name",
        "loan__borrower__phone",
        *CASE_STANDING,
        "assigned_to__username",
        "opened_on",
        "next_action_on",
    ]
    fieldsets = [
        (None, {"fields": CASE_STANDING}),
        (
            "Who and when",
            {
                "fields": [
                    "loan_link",
                    "business_name",
                    "phone",
                    "collector",
                    "opened_on",
                    "closed_on",
                    "next_action_on",
                    "last_action_at",
                ]
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        """The loan as a link for those who may open it; a collector reads its reference."""
        if request.user.has_perm("loans.view_loan"):
            return self.fieldsets
        return [
            (name, {"fields": [("loan_ref" if f == "loan_link" else f) for f in options["fields"]]})
            for name, options in self.fieldsets
        ]

    def get_queryset(self, request):
        return worklist_order(cases_visible_to(request.user), get_business_date())

    def get_ordering(self, request):
        return ["promise_today", "bucket_rank", "-amount_overdue", "pk"]

    def get_list_filter(self, request):
        if _is_ops(request):
            return [*self.list_filter, "assigned_to"]
        return self.list_filter

    def get_actions(self, request):
        return super().get_actions(request) if _is_ops(request) else {}

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in CollectionCase._meta.fields] + [
            "loan_link",
            "loan_ref",
            "business_name",
            "phone",
            "collector",
        ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        buttons = self.form_action_links(request, obj)
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "transition_buttons": buttons}
        )

    # -- columns --

    @admin.display(description="loan")
    def loan_ref(self, case):
        return format_html('<span class="ref">{}</span>', case.loan.reference)

    @admin.display(description="loan")
    def loan_link(self, case):
        url = reverse("admin:loans_loan_change", args=[case.loan_id])
        return format_html('<a href="{}">{}</a>', url, case.loan.reference)

    @admin.display(description="business")
    def business_name(self, case):
        return case.business.legal_name

    @admin.display(description="phone")
    def phone(self, case):
        return case.loan.borrower.phone

    @admin.display(description="bucket")
    def bucket_label(self, case):
        return case.bucket.replace("_", "-")

    @admin.display(description="overdue")
    def overdue_inr(self, case):
        return format_html('<span class="money">{}</span>', inr(case.amount_overdue))

    @admin.display(description="promise")
    def promise(self, case):
        if case.ptp_amount is None:
            return "—"
        return f"{inr(case.ptp_amount)} by {date_format(case.ptp_due_on, 'd M')}"

    @admin.display(description="collector")
    def collector(self, case):
        return case.assigned_to.username if case.assigned_to_id else format_html('<span class="pill">unassigned</span>')

    @admin.display(description="last action")
    def last_action(self, case):
        return date_format(case.last_action_at, "d M H:i") if case.last_action_at else "none yet"

    # -- bulk reassignment --

    @admin.action(description="Give the selected cases to a collector", permissions=["change"])
    def reassign(self, request, queryset):
        if not _is_ops(request):
            raise PermissionDenied
        form = ReassignBulkForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            ids = list(queryset.values_list("pk", flat=True))
            try:
                moved = cases_reassign(case_ids=ids, collector_id=form.cleaned_data["collector"].pk, actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                collector = form.cleaned_data["collector"].username
                self.message_user(request, f"{moved} case(s) given to {collector}.", messages.SUCCESS)
            return HttpResponseRedirect(request.get_full_path())
        return TemplateResponse(
            request,
            "admin/collections/reassign.html",
            {
                **self.admin_site.each_context(request),
                "title": "Give cases to a collector",
                "cases": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@LOAN_PAGE.add_inline
class LoanCaseInline(ReadOnlyInline):
    model = CollectionCase
    verbose_name_plural = "collection cases"
    fields = readonly_fields = ["opened_on", "status", "bucket", "dpd", "amount_overdue", "assigned_to", "closed_on"]
    show_change_link = True


# ---- The supervisor's view ----------------------------------------------------------------------


def supervisor_rows(since):
    """Per collector: open cases and what they owe, promises pending, and promises kept and
    broken since `since` with the kept rate; one grouped query for the cases, one for promises."""
    open_q = Q(collection_cases__status__in=CollectionCase.OPEN_STATUSES)
    collectors = list(
        active_collectors().annotate(
            open_cases=Count("collection_cases", filter=open_q),
            overdue=Sum("collection_cases__amount_overdue", filter=open_q),
            promises_pending=Count("collection_cases", filter=Q(collection_cases__status="PTP")),
            broken_open=Count("collection_cases", filter=Q(collection_cases__status="BROKEN_PTP")),
        )
    )
    settled = (
        PromiseToPay.objects.filter(settled_on__gte=since, status__in=["KEPT", "BROKEN"])
        .values("case__assigned_to", "status")
        .annotate(n=Count("id"))
    )
    tally: dict = {}
    for row in settled:
        tally.setdefault(row["case__assigned_to"], {})[row["status"]] = row["n"]
    rows = []
    for user in collectors:
        kept, broken = tally.get(user.pk, {}).get("KEPT", 0), tally.get(user.pk, {}).get("BROKEN", 0)
        rows.append(
            {
                "user": user,
                "open_cases": user.open_cases,
                "overdue": user.overdue or 0,
                "promises_pending": user.promises_pending,
                "broken_open": user.broken_open,
                "kept": kept,
                "broken": broken,
                "kept_rate": f"{kept / (kept + broken):.0%}" if kept + broken else "—",
            }
        )
    return rows


def supervisor_view(request):
    if not (_is_ops(request) and request.user.has_perm("collections.view_collectioncase")):
        raise PermissionDenied
    today = get_business_date()
    since = today - datetime.timedelta(days=30)
    unassigned = CollectionCase.objects.filter(status__in=CollectionCase.WORKED_STATUSES, assigned_to__isnull=True)
    context = {
        **admin.site.each_context(request),
        "title": "Collections desk",
        "rows": supervisor_rows(since),
        "since": since,
        "unassigned": unassigned.count(),
        "changelist": reverse("admin:collections_collectioncase_changelist"),
    }
    return TemplateResponse(request, "admin/collections/supervisor.html", context)


admin.site.register_page("collections/desk/", supervisor_view, "collections_desk")
