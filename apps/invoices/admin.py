import datetime

from django.contrib import admin, messages

from apps.core.admin_base import FastListMixin, ModelAdmin
from apps.core.admin_filters import fixed_choices_filter
from apps.core.business_date import get_business_date
from apps.core.errors import DomainError
from apps.invoices.models import Invoice, financial_year
from apps.invoices.services import invoice_recheck

RECENT_FINANCIAL_YEARS = 4


def _recent_financial_years() -> list[str]:
    """This financial year (of the business date, which invoice dates may not pass) and the
    few before it: the ones open invoices can be in, without reading the table."""
    start = int(financial_year(get_business_date())[:4])
    return [financial_year(datetime.date(year, 4, 1)) for year in range(start, start - RECENT_FINANCIAL_YEARS, -1)]


@admin.register(Invoice)
class InvoiceAdmin(FastListMixin, ModelAdmin):
    """Invoices as uploaded and checked. A REVIEW risk decision holds an application, not the
    invoice: the officers decide it on the applications worklist (apps/loans/admin.py)."""

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
