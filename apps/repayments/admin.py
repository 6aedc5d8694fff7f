"""Repayments, bounces and NACH return codes; and what they add to the loan's page."""

from django.contrib import admin

from apps.core.admin_base import ModelAdmin, ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_csv import CsvExportMixin
from apps.core.admin_pages import FormAction
from apps.loans.admin import LOAN_PAGE
from apps.repayments.admin_forms import (
    BounceForm,
    OfflinePaymentForm,
    WaiverForm,
    owes_charges,
    takes_bounce,
    takes_payments,
)
from apps.repayments.models import (
    Bounce,
    ChargeWaiver,
    LoanClassificationHistory,
    NachReturnCode,
    OfflinePayment,
    Repayment,
)


@LOAN_PAGE.add_inline
class RepaymentInline(ReadOnlyInline):
    model = Repayment
    fk_name = "loan"
    show_change_link = False
    fields = readonly_fields = [
        "business_date",
        "kind",
        "amount",
        "penalty",
        "interest",
        "principal",
        "channel",
        "external_reference",
    ]


@LOAN_PAGE.add_inline
class BounceInline(ReadOnlyInline):
    model = Bounce
    show_change_link = False
    fields = readonly_fields = ["business_date", "installment", "return_code", "charge", "gst", "actor"]


@LOAN_PAGE.add_inline
class ClassificationInline(ReadOnlyInline):
    model = LoanClassificationHistory
    show_change_link = False
    fields = readonly_fields = ["business_date", "from_classification", "to_classification", "dpd"]


@LOAN_PAGE.add_inline
class ChargeWaiverInline(ReadOnlyInline):
    model = ChargeWaiver
    show_change_link = False
    fields = readonly_fields = ["business_date", "installment", "amount", "reason", "actor"]


LOAN_PAGE.add_action(
    FormAction(
        "record_payment", "Record an offline payment", OfflinePaymentForm, "repayments.add_repayment", takes_payments
    )
)
LOAN_PAGE.add_action(FormAction("record_bounce", "Record a bounce", BounceForm, "repayments.add_bounce", takes_bounce))
LOAN_PAGE.add_action(
    FormAction("waive_charge", "Waive a charge", WaiverForm, "repayments.add_chargewaiver", owes_charges)
)


@admin.register(Repayment)
class RepaymentAdmin(CsvExportMixin, ReadOnlyAdmin):
    list_display = ["business_date", "loan", "kind", "amount", "penalty", "interest", "principal", "channel"]
    # Not channel: it has no choices, so Django would list its values with a DISTINCT over every
    # repayment; and it follows kind (the only channel besides API is RECOVERY, for kind RECOVERY).
    list_filter = ["kind", "business_date"]
    search_fields = ["=loan__id", "=external_reference"]
    raw_id_fields = ["loan", "installment"]
    list_select_related = ["loan"]
    csv_fields = ["id", "loan_id", "business_date", "kind", "amount", "penalty", "interest", "principal", "channel"]


@admin.register(Bounce)
class BounceAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "loan", "return_code", "charge", "gst"]
    list_filter = ["return_code", "business_date"]
    search_fields = ["=loan__id"]
    raw_id_fields = ["loan", "installment"]


@admin.register(NachReturnCode)
class NachReturnCodeAdmin(ModelAdmin):
    list_display = ["code", "description", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OfflinePayment)
class OfflinePaymentAdmin(ReadOnlyAdmin):
    """Money recorded from the loan page: found by its UTR or reference."""

    list_display = ["received_on", "loan", "method", "reference", "amount", "business_date", "actor"]
    list_filter = ["method", "received_on"]
    search_fields = ["=reference", "=loan__id"]
    raw_id_fields = ["loan"]
    list_select_related = ["loan", "actor"]


@admin.register(ChargeWaiver)
class ChargeWaiverAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "loan", "amount", "actor"]
    list_filter = ["business_date"]
    search_fields = ["=loan__id"]
    raw_id_fields = ["loan", "installment"]
    list_select_related = ["loan", "actor"]
