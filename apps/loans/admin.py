import datetime

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime

from apps.audit.models import AuditLog
from apps.core.admin_actions import reason_action
from apps.core.admin_base import (
    FastListMixin,
    ModelAdmin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    WorklistAdmin,
)
from apps.core.admin_csv import CsvExportMixin
from apps.core.admin_filters import fixed_choices_filter, work_first_filter
from apps.core.admin_pages import FormAction, FormActionsMixin
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.core.business_date import get_business_date
from apps.core.inr import inr
from apps.core.money import ZERO
from apps.ledger.models import JournalLine
from apps.loans.models import (
    INSTALLMENT_AMOUNTS,
    DueInstallment,
    Installment,
    Loan,
    LoanApplication,
    LoanProduct,
    Offer,
    OverdueLoan,
    PayoutWorkItem,
)
from apps.loans.services import loan_override, loan_payout_confirm, offer_withdraw
from apps.loans.services.applications import application_approve, application_reject
from apps.loans.services.contracts import contract_link
from apps.loans.transitions import OVERRIDES
from apps.risk.rules import GRADES


@admin.register(LoanProduct)
class LoanProductAdmin(ModelAdmin):
    list_display = ["code", "name", "interest_method", "tenure_months", "processing_fee_pct", "is_active"]
    list_filter = ["is_active", "interest_method"]
    search_fields = ["code", "name"]
    editable_terms = ("bounce_charge", "min_principal", "max_principal")

    def has_delete_permission(self, request, obj=None):
        return False  # offers and loans point at products; retire one with is_active instead


@admin.register(Offer)
class OfferAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    transition_buttons = [
        Button(
            "withdraw",
            "Withdraw offer",
            offer_withdraw,
            transition="withdraw",
            needs_reason=True,
            permission="loans.change_loan",
        ),
    ]
    list_display = ["id", "invoice", "type", "principal", "annual_rate", "status", "valid_until"]
    # The grades of the rule set, not a DISTINCT over every offer.
    list_filter = ["status", "type", fixed_choices_filter("credit_grade", sorted(g for _, g in GRADES), title="grade")]
    search_fields = ["=id", "=invoice__invoice_number", "=invoice__seller_gstin"]
    list_select_related = ["invoice"]
    raw_id_fields = ["invoice"]


# An installment as ops read it: its number and date, what is due and paid of each part.
INSTALLMENT_COLUMNS = ["number", "due_date", *INSTALLMENT_AMOUNTS, "status"]


class InstallmentInline(ReadOnlyInline):
    model = Installment
    ordering = ["number"]
    show_change_link = False
    fields = readonly_fields = INSTALLMENT_COLUMNS


def _confirm_payout(loan_id, *, actor, utr):
    # Ops copy the UTR from the rail's statement; the service refuses a blank one.
    return loan_payout_confirm(loan_id=loan_id, succeeded=True, utr=utr, actor=actor)


def _payout_failed(loan_id, *, actor, reason):
    return loan_payout_confirm(loan_id=loan_id, succeeded=False, reason=reason, actor=actor)


def _override_to(status):
    def service(loan_id, *, actor, reason):
        return loan_override(loan_id=loan_id, status=status, reason=reason, actor=actor)

    return service


OVERRIDE_BUTTONS = [
    Button(
        f"override_{target.lower()}",
        f"Override to {target}",
        _override_to(target),
        transition=door.name,
        needs_reason=True,
        permission="override",
    )
    for target, door in sorted(OVERRIDES.items())
]


class LoanPage:
    """What apps above `loans` add to the loan's admin page: their inlines (repayments, bounces,
    recovery), buttons and form actions (record a payment, a bounce, waive a charge). They
    register here from their own admin.py; loans never imports them (the layer order)."""

    def __init__(self):
        self.inlines: list = []
        self.buttons: list[Button] = []
        self.actions: list[FormAction] = []

    def add_inline(self, inline):
        self.inlines.append(inline)
        return inline

    def add_button(self, button: Button) -> None:
        self.buttons.append(button)

    def add_action(self, action: FormAction) -> None:
        self.actions.append(action)


LOAN_PAGE = LoanPage()


def _table(headers, rows, *, numeric=(), table_id="") -> str:
    """Every cell escaped, the markup around them safe: one format_html over safe parts (adding
    a plain str to a SafeString gave a plain str, and the page showed the tags as text).
    Columns whose index is in `numeric` are right-aligned."""
    cell = ['<td class="num">{}</td>' if i in numeric else "<td>{}</td>" for i in range(len(headers))]
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    body = format_html_join("", "<tr>" + "".join(cell) + "</tr>", rows)
    if not rows:
        return mark_safe('<span class="muted">none</span>')
    return format_html(
        '<table class="console-table" id="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', table_id, head, body
    )


class LoanAdmin(CsvExportMixin, FormActionsMixin, TransitionButtonsMixin, FastListMixin, ModelAdmin):
    list_display = [
        "reference",
        "borrower_name",
        "principal",
        "outstanding_principal",
        "status",
        "asset_classification",
        "dpd",
        "disbursed_on",
    ]

    @admin.display(description="borrower", ordering="business__legal_name")
    def borrower_name(self, loan):
        return loan.business.legal_name

    list_filter = ["status", "asset_classification", "offer_type", "product"]
    search_fields = ["=reference", "=id", "=business__gstin", "=invoice__invoice_number"]
    fieldsets = [
        (None, {"fields": ["reference", "business", "borrower", "invoice", "status", "asset_classification", "dpd"]}),
        (
            "Terms",
            {
                "fields": [
                    "product",
                    "offer",
                    "offer_type",
                    "principal",
                    "annual_rate",
                    "tenure_months",
                    "interest_method",
                    "emi",
                    "processing_fee",
                    "fee_gst",
                    "disbursed_amount",
                ]
            },
        ),
        (
            "Outstanding",
            {
                "fields": [
                    "outstanding_principal",
                    "outstanding_interest",
                    "outstanding_penalty",
                    "interest_suspense",
                    "penal_suspense",
                    "bounce_count",
                ]
            },
        ),
        (
            "Payout and documents",
            {
                "fields": [
                    "sanctioned_on",
                    "disbursed_on",
                    "closed_on",
                    "payout_status",
                    "payout_utr",
                    "contract",
                    "documents",
                ]
            },
        ),
        # Folded: long on an old loan, and the schedule below is what ops read first.
        ("Ledger lines", {"fields": ["ledger_lines"], "classes": ["collapse"]}),
        ("Audit trail", {"fields": ["audit_trail"], "classes": ["collapse"]}),
    ]
    list_select_related = ["business"]
    raw_id_fields = ["borrower", "business", "invoice", "offer", "product"]
    inlines = [InstallmentInline]
    csv_fields = [
        "id",
        "business__gstin",
        "status",
        "asset_classification",
        "dpd",
        "principal",
        "outstanding_principal",
        "outstanding_interest",
        "outstanding_penalty",
        "disbursed_on",
    ]
    own_buttons = [
        Button(
            "confirm_payout",
            "Confirm payout",
            _confirm_payout,
            transition="disburse",
            fields=(("utr", "Bank UTR", "text"),),
        ),
        Button(
            "payout_failed",
            "Payout failed: cancel the loan",
            _payout_failed,
            transition="cancel",
            needs_reason=True,
        ),
        *OVERRIDE_BUTTONS,
    ]
    extra_readonly = ("contract", "documents", "ledger_lines", "audit_trail")

    @property
    def transition_buttons(self) -> list[Button]:
        return [*self.own_buttons, *LOAN_PAGE.buttons]

    @property
    def form_actions(self) -> list[FormAction]:
        return LOAN_PAGE.actions

    def buttons_for(self, request, obj) -> list[dict]:
        return [*self.form_action_links(request, obj), *super().buttons_for(request, obj)]

    def get_inlines(self, request, obj):
        return [*self.inlines, *LOAN_PAGE.inlines]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Loan._meta.fields] + list(self.extra_readonly)

    def get_urls(self):
        contract = path(
            "<uuid:loan_id>/contract/",
            self.admin_site.admin_view(self.contract_view),
            name="loans_loan_contract",
        )
        return [contract, *super().get_urls()]

    def contract_view(self, request, loan_id):
        """The agreement with its KFS: to a short-lived signed link, like the borrower's."""
        loan = self.get_object(request, str(loan_id))
        if loan is None or not self.has_view_permission(request, loan):
            raise PermissionDenied
        if not loan.contract_key:
            raise Http404("The agreement is issued at disbursement.")
        return HttpResponseRedirect(contract_link(loan)["url"])

    @admin.display(description="contract and KFS")
    def contract(self, loan):
        if not loan.contract_key:
            return "issued at disbursement"
        url = reverse("admin:loans_loan_contract", args=[loan.pk])
        return format_html('<a href="{}" target="_blank">Loan agreement with KFS (PDF)</a>', url)

    @admin.display(description="KYC documents")
    def documents(self, loan):
        url = reverse("admin:kyc_business_change", args=[loan.business_id])
        kinds = ", ".join(loan.business.documents.values_list("doc_type", flat=True)) or "none uploaded"
        return format_html('<a href="{}">{}</a> (on the business page)', url, kinds)

    @admin.display(description="ledger lines")
    def ledger_lines(self, loan):
        lines = JournalLine.objects.filter(loan_id=loan.pk).select_related("entry").order_by("entry__posted_at", "id")
        rows = [
            (
                date_format(line.entry.business_date),
                line.entry.entry_type.replace("_", " ").capitalize(),
                f"{line.account.code} {line.account.name}",
                inr(line.debit) if line.debit else "",
                inr(line.credit) if line.credit else "",
            )
            for line in lines.select_related("account")[:500]
        ]
        return _table(["Date", "Entry", "Account", "Debit", "Credit"], rows, numeric=(3, 4), table_id="ledger-lines")

    @admin.display(description="audit trail")
    def audit_trail(self, loan):
        logs = AuditLog.objects.filter(object_type="loans.loan", object_id=str(loan.pk)).select_related("actor")
        rows = [
            (date_format(localtime(log.at), "DATETIME_FORMAT"), log.action, log.actor or "system", log.reason)
            for log in logs[:200]
        ]
        return _table(["At", "Action", "By", "Reason"], rows, table_id="audit-trail")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Loan, LoanAdmin)


# ---- Worklists ------------------------------------------------------------------------------


def _loan_link(loan) -> str:
    label = getattr(loan, "reference", "") or str(loan.pk)
    return format_html('<a href="{}">{}</a>', reverse("admin:loans_loan_change", args=[loan.pk]), label)


class _LoanRowColumns:
    """Columns every loan worklist shows: the loan (linked to its page), the business, the phone."""

    @admin.display(description="loan")
    def loan(self, loan):
        return _loan_link(loan)

    @admin.display(description="business", ordering="business__legal_name")
    def business_name(self, loan):
        return loan.business.legal_name

    @admin.display(description="phone")
    def phone(self, loan):
        return loan.borrower.phone


@admin.register(PayoutWorkItem)
class PayoutWorklist(_LoanRowColumns, WorklistAdmin):
    """Sanctioned loans whose payout is still PENDING at the rail, and loans whose payout FAILED
    (cancelled; the invoice was freed), oldest first. There is no "retry payout" service: a
    failed payout cancels the loan and the borrower accepts a fresh offer. The one bulk action
    is what the rail's failure report asks for: "Payout failed: cancel the loan" with a
    reason, through loan_payout_confirm (refused for a loan no longer SANCTIONED). Confirming
    a payout needs each loan's own UTR, so it stays a button on the loan page."""

    list_display = ["loan", "business_name", "phone", "disbursed_inr", "sanctioned_on", "payout_status", "status"]
    list_filter = [fixed_choices_filter("payout_status", ["PENDING", "FAILED"], title="payout")]
    search_fields = ["=id", "=business__gstin"]
    list_select_related = ["business", "borrower"]
    ordering = ["created_at", "id"]
    sortable_by = ["business_name", "disbursed_inr", "sanctioned_on"]
    csv_fields = [
        "id",
        "business__legal_name",
        "borrower__phone",
        "disbursed_amount",
        "sanctioned_on",
        "payout_status",
        "status",
    ]
    actions = [
        reason_action(_payout_failed, description="Payout failed: cancel the loan", name="payout_failed", key="loan_id")
    ]

    def worklist_queryset(self, queryset):
        # The first condition is ix_loan_payout_open's own predicate, so the planner uses it.
        return queryset.filter(payout_status__in=[Loan.PayoutStatus.PENDING, Loan.PayoutStatus.FAILED]).filter(
            Q(status=Loan.Status.SANCTIONED) | Q(payout_status=Loan.PayoutStatus.FAILED)
        )

    @admin.display(description="to pay out", ordering="disbursed_amount")
    def disbursed_inr(self, loan):
        return inr(loan.disbursed_amount)


def _amount_overdue(today: datetime.date) -> Subquery:
    """What is owed on a loan's installments due before `today` and not paid, in one
    correlated sum per listed row (through the installment's loan index)."""
    owed = F("principal_due") + F("interest_due") + F("penalty_due")
    paid = F("principal_paid") + F("interest_paid") + F("penalty_paid")
    per_loan = (
        Installment.objects.filter(loan=OuterRef("pk"), due_date__lt=today)
        .exclude(status=Installment.Status.PAID)
        .order_by()
        .values("loan")
        .annotate(amount=Sum(owed - paid))
        .values("amount")
    )
    return Coalesce(Subquery(per_loan), ZERO, output_field=DecimalField(max_digits=18, decimal_places=2))


@admin.register(OverdueLoan)
class OverdueWorklist(_LoanRowColumns, WorklistAdmin):
    """Live loans past due, most days past due first, filtered by bucket (SMA-0, SMA-1, SMA-2,
    NPA), with the amount overdue and the borrower's phone for the call. No bulk action here:
    collections (an app above) adds the collector's work to its own worklist."""

    list_display = [
        "loan",
        "business_name",
        "phone",
        "dpd",
        "bucket",
        "amount_overdue_inr",
        "outstanding_inr",
        "bounce_count",
    ]
    list_filter = [
        fixed_choices_filter(
            "asset_classification",
            [("SMA_0", "SMA-0"), ("SMA_1", "SMA-1"), ("SMA_2", "SMA-2"), ("NPA", "NPA")],
            title="bucket",
        )
    ]
    search_fields = ["=id", "=business__gstin"]
    list_select_related = ["business", "borrower"]
    ordering = ["-dpd", "id"]
    sortable_by = ["dpd", "business_name", "outstanding_inr"]
    csv_fields = [
        "id",
        "business__legal_name",
        "borrower__phone",
        "dpd",
        "asset_classification",
        "amount_overdue",
        "outstanding_principal",
        "outstanding_interest",
        "outstanding_penalty",
    ]

    def worklist_queryset(self, queryset):
        return queryset.filter(dpd__gt=0, status__in=Loan.LIVE_STATUSES).annotate(
            amount_overdue=_amount_overdue(get_business_date())
        )

    @admin.display(description="bucket", ordering="asset_classification")
    def bucket(self, loan):
        return loan.asset_classification.replace("_", "-")  # SMA-0 ... NPA, as RBI writes them

    @admin.display(description="amount overdue")
    def amount_overdue_inr(self, loan):
        return inr(loan.amount_overdue)

    @admin.display(description="principal outstanding", ordering="outstanding_principal")
    def outstanding_inr(self, loan):
        return inr(loan.outstanding_principal)


class DueWhenFilter(admin.SimpleListFilter):
    """Today, or the seven days from today (the default), by the business date."""

    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("today", "Today"), ("week", "This week (7 days)")]

    def choices(self, changelist):
        # "This week" is what an empty filter shows: no "All", which would list every unpaid
        # installment of the book.
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "week") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        today = get_business_date()
        last = today if self.value() == "today" else today + datetime.timedelta(days=6)
        return queryset.filter(due_date__range=(today, last))


@admin.register(DueInstallment)
class DueWorklist(WorklistAdmin):
    """Unpaid installments falling due today or in the coming week (by the business date),
    soonest first, with the amount still due and the borrower's phone: the reminder and
    collection calls of the week. No bulk action: reminders go out by the emi_reminders job."""

    list_display = ["loan_link", "business_name", "phone", "number", "due_date", "amount_due_inr", "status"]
    list_filter = [DueWhenFilter]
    search_fields = ["=loan__id", "=loan__business__gstin"]
    list_select_related = ["loan__business", "loan__borrower"]
    ordering = ["due_date", "id"]  # ix_installment_unpaid_due_id, read in order
    sortable_by = ["due_date"]
    csv_fields = ["id", "loan_id", "loan__business__legal_name", "loan__borrower__phone", *INSTALLMENT_COLUMNS]

    def worklist_queryset(self, queryset):
        # ix_installment_unpaid_due_id's predicate; DueWhenFilter bounds the dates (always applied).
        return queryset.exclude(status=Installment.Status.PAID)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if DueWhenFilter.parameter_name not in request.GET:
            today = get_business_date()
            queryset = queryset.filter(due_date__range=(today, today + datetime.timedelta(days=6)))
        return queryset

    @admin.display(description="loan")
    def loan_link(self, installment):
        return _loan_link(installment.loan)

    @admin.display(description="business")
    def business_name(self, installment):
        return installment.loan.business.legal_name

    @admin.display(description="phone")
    def phone(self, installment):
        return installment.loan.borrower.phone

    @admin.display(description="still due")
    def amount_due_inr(self, installment):
        return inr(installment.owed)


# The queue opens on what waits for an officer, like every worklist (over ix_application_queue).
UnderReviewFilter = work_first_filter(
    "applications",
    title="applications",
    work=lambda applications: applications.filter(status=LoanApplication.Status.UNDER_REVIEW),
    work_label="Under review: to decide",
    all_label="All applications",
)


@admin.register(LoanApplication)
class LoanApplicationAdmin(CsvExportMixin, TransitionButtonsMixin, ReadOnlyAdmin):
    """Applications the risk evaluation held for a person: approve (offers are made) or reject,
    each with a reason; the others are shown for the record."""

    transition_buttons = [
        Button(
            "approve",
            "Approve: make offers",
            application_approve,
            transition="approve",
            needs_reason=True,
            key="application_id",
        ),
        Button("reject", "Reject", application_reject, transition="reject", needs_reason=True, key="application_id"),
    ]
    # Bulk decisions with one reason, as on every worklist: the reasons are on the list, so a
    # reviewer clears several alike (e.g. all above the automatic limit for one known buyer).
    actions = [
        reason_action(
            application_approve,
            description="Approve: make offers",
            name="approve_applications",
            permission="decide",
            key="application_id",
        ),
        reason_action(
            application_reject,
            description="Reject",
            name="reject_applications",
            permission="decide",
            key="application_id",
        ),
    ]
    # The status says the decision; who decided is on the page: the list fits a laptop screen.
    list_display = ["business_name", "invoice_number", "requested_amount", "status", "why_review", "submitted_at"]
    list_filter = [UnderReviewFilter, "status"]
    search_fields = ["=business__gstin", "=invoice__invoice_number"]
    csv_fields = [
        "id",
        "business__gstin",
        "business__legal_name",
        "invoice__invoice_number",
        "invoice__buyer_gstin",
        "requested_amount",
        "status",
        "reasons",
        "submitted_at",
        "decided_by__username",
        "decision_reason",
    ]
    list_select_related = ["business", "invoice"]
    fields = readonly_fields = [
        "business",
        "invoice",
        "product",
        "requested_amount",
        "tenure_months",
        "status",
        "decision",
        "reason_list",
        "credit_score",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_reason",
    ]

    @admin.display(description="business", ordering="business__legal_name")
    def business_name(self, application):
        return application.business.legal_name

    @admin.display(description="invoice", ordering="invoice__invoice_number")
    def invoice_number(self, application):
        return application.invoice.invoice_number

    def has_decide_permission(self, request):
        return request.user.has_perm("loans.change_loanapplication")

    @admin.display(description="why")
    def why_review(self, application):
        """The first of the evaluation's reasons (all of them on the page), kept short."""
        return Truncator(application.reasons[0] if application.reasons else "").chars(60)

    @admin.display(description="why the risk evaluation held it")
    def reason_list(self, application):
        return format_html_join("", "<div>{}</div>", ((reason,) for reason in application.reasons))
