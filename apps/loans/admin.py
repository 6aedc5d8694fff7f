from django.contrib import admin, messages

from apps.core.errors import DomainError
from apps.loans.models import Installment, Loan, LoanProduct, Offer
from apps.loans.services import loan_payout_confirm


class ReadOnlyMixin:
    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoanProduct)
class LoanProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "interest_method", "tenure_months", "processing_fee_pct", "is_active"]
    list_filter = ["is_active", "interest_method"]
    search_fields = ["code", "name"]

    def has_delete_permission(self, request, obj=None):
        return False  # offers and loans point at products; retire one with is_active instead


@admin.register(Offer)
class OfferAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "invoice", "type", "principal", "annual_rate", "status", "valid_until"]
    list_filter = ["status", "type", "credit_grade"]
    search_fields = ["=id", "=invoice__invoice_number", "=invoice__seller_gstin"]
    list_select_related = ["invoice"]
    show_full_result_count = False


class InstallmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Installment
    extra = 0
    can_delete = False
    ordering = ["number"]
    fields = [
        "number",
        "due_date",
        "principal_due",
        "interest_due",
        "penalty_due",
        "principal_paid",
        "interest_paid",
        "penalty_paid",
        "status",
    ]


@admin.register(Loan)
class LoanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "business",
        "principal",
        "outstanding_principal",
        "status",
        "asset_classification",
        "dpd",
        "disbursed_on",
    ]
    list_filter = ["status", "asset_classification", "offer_type", "product"]
    search_fields = ["=id", "=business__gstin", "=invoice__invoice_number"]
    list_select_related = ["business"]
    inlines = [InstallmentInline]
    actions = ["confirm_payout"]
    show_full_result_count = False

    @admin.action(description="Confirm the pending payout (the bank reported it paid)", permissions=["change"])
    def confirm_payout(self, request, queryset):
        for loan in queryset.filter(status=Loan.Status.SANCTIONED):
            try:
                loan_payout_confirm(loan.pk, succeeded=True, utr=f"MANUAL-{loan.pk}", actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{loan}: {exc.message}", messages.WARNING)
            else:
                self.message_user(request, f"{loan}: disbursed", messages.SUCCESS)
