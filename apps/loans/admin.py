from django.contrib import admin

from apps.core.admin_base import FastListMixin, ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_csv import CsvExportMixin
from apps.core.admin_filters import fixed_choices_filter
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.loans.models import Installment, Loan, LoanProduct, Offer
from apps.loans.services import loan_override, loan_payout_confirm, offer_withdraw
from apps.loans.transitions import OVERRIDES
from apps.risk.rules import GRADES


@admin.register(LoanProduct)
class LoanProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "interest_method", "tenure_months", "processing_fee_pct", "is_active"]
    list_filter = ["is_active", "interest_method"]
    search_fields = ["code", "name"]

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


class InstallmentInline(ReadOnlyInline):
    model = Installment
    ordering = ["number"]
    show_change_link = False
    fields = readonly_fields = [
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


def _confirm_payout(loan_id, *, actor, utr):
    # Ops copy the UTR from the rail's statement; the service refuses a blank one.
    return loan_payout_confirm(loan_id, succeeded=True, utr=utr, actor=actor)


def _payout_failed(loan_id, *, actor, reason):
    return loan_payout_confirm(loan_id, succeeded=False, reason=reason, actor=actor)


def _override_to(status):
    def service(loan_id, *, actor, reason):
        return loan_override(loan_id, status=status, reason=reason, actor=actor)

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


class LoanAdmin(CsvExportMixin, TransitionButtonsMixin, FastListMixin, admin.ModelAdmin):
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
    transition_buttons = [
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

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Loan._meta.fields] + list(self.extra_readonly)

    extra_readonly: tuple = ()

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Loan, LoanAdmin)
