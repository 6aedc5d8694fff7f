import datetime

from django.contrib import admin, messages
from django.db.models import CharField, Exists, OuterRef, Subquery
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.html import format_html

from apps.audit.models import AuditLog
from apps.core.admin_actions import reason_action
from apps.core.admin_base import FastListMixin, ModelAdmin, WorklistAdmin
from apps.core.admin_filters import fixed_choices_filter
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.core.business_date import get_business_date
from apps.core.errors import DomainError
from apps.core.inr import inr
from apps.invoices.models import Invoice, RiskReviewInvoice, financial_year
from apps.invoices.services import invoice_recheck, invoice_risk_approve

RECENT_FINANCIAL_YEARS = 4


def _recent_financial_years() -> list[str]:
    """This financial year (of the business date, which invoice dates may not pass) and the
    few before it: the ones open invoices can be in, without reading the table."""
    start = int(financial_year(get_business_date())[:4])
    return [financial_year(datetime.date(year, 4, 1)) for year in range(start, start - RECENT_FINANCIAL_YEARS, -1)]


@admin.register(Invoice)
class InvoiceAdmin(TransitionButtonsMixin, FastListMixin, ModelAdmin):
    transition_buttons = [
        Button(
            "risk_approve",
            "Approve for offers (risk review)",
            invoice_risk_approve,
            transition="approve_for_offers",
            needs_reason=True,
        )
    ]
    list_display = ["invoice_number", "seller_gstin", "buyer_name", "amount", "due_date", "status", "created_at"]
    # A date filter rather than date_hierarchy, whose year/month links scan the whole table, and
    # financial years computed from the date rather than listed by a DISTINCT over every invoice.
    list_filter = [
        "status",
        fixed_choices_filter("financial_year", _recent_financial_years, title="financial year"),
        "created_at",
    ]
    search_fields = ["=invoice_number", "=seller_gstin", "=buyer_gstin", "=id"]
    list_select_related = ["business"]
    actions = ["recheck_gst"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Re-run the GST check on UPLOADED invoices", permissions=["change"])
    def recheck_gst(self, request, queryset):
        for invoice in queryset:
            try:
                invoice_recheck(invoice_id=invoice.pk, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{invoice}: {exc.message}", messages.WARNING)
            else:
                self.message_user(request, f"{invoice}: re-checked", messages.SUCCESS)


REVIEW_REQUIRED = "offer.review_required"  # written by offer generation when risk says REVIEW


@admin.register(RiskReviewInvoice)
class RiskReviewWorklist(WorklistAdmin):
    """VERIFIED invoices whose offers a REVIEW risk decision holds, not yet approved, oldest
    first, with the decision's reasons. Bulk "Approve for offers" asks for one reason and runs
    invoice_risk_approve on each row (audited, refused for a row no longer awaiting): the
    reasons are on the list, so a reviewer can clear several alike (e.g. all above the
    automatic limit for one known buyer) at once."""

    list_display = ["invoice", "business_name", "buyer_name", "amount_inr", "invoice_date", "review_reasons", "since"]
    list_filter = [fixed_choices_filter("financial_year", _recent_financial_years, title="financial year")]
    search_fields = ["=invoice_number", "=seller_gstin", "=buyer_gstin"]
    list_select_related = ["business"]
    ordering = ["created_at", "id"]
    sortable_by = ["amount_inr", "invoice_date", "since"]
    csv_fields = [
        "id",
        "invoice_number",
        "seller_gstin",
        "business__legal_name",
        "buyer_gstin",
        "buyer_name",
        "amount",
        "invoice_date",
        "review_reasons",
    ]
    actions = [
        reason_action(
            invoice_risk_approve, description="Approve for offers (risk review)", name="risk_approve", key="invoice_id"
        )
    ]

    def worklist_queryset(self, queryset):
        reviews = AuditLog.objects.filter(
            object_type=Invoice._meta.label_lower,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
            action=REVIEW_REQUIRED,
        )
        return queryset.filter(Exists(reviews), status=Invoice.Status.VERIFIED, risk_approved_by__isnull=True).annotate(
            review_reasons=Subquery(reviews.order_by("-at").values("reason")[:1])
        )

    @admin.display(description="invoice", ordering="invoice_number")
    def invoice(self, invoice):
        url = reverse("admin:invoices_invoice_change", args=[invoice.pk])
        return format_html('<a href="{}">{}</a>', url, invoice.invoice_number)

    @admin.display(description="business")
    def business_name(self, invoice):
        return invoice.business.legal_name

    @admin.display(description="amount", ordering="amount")
    def amount_inr(self, invoice):
        return inr(invoice.amount)

    @admin.display(description="why review")
    def review_reasons(self, invoice):
        return invoice.review_reasons

    @admin.display(description="uploaded", ordering="created_at")
    def since(self, invoice):
        return invoice.created_at
