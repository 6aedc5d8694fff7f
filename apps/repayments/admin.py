"""Repayments, bounces and NACH return codes; and what they add to the loan's page."""

from django.contrib import admin

from apps.core.admin_base import ModelAdmin, ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_csv import CsvExportMixin
from apps.core.admin_transitions import Button
from apps.core.errors import Conflict
from apps.loans.admin import LOAN_PAGE
from apps.loans.models import Installment
from apps.repayments.models import Bounce, LoanClassificationHistory, NachReturnCode, Repayment
from apps.repayments.services import emi_bounce


@LOAN_PAGE.add_inline
class RepaymentInline(ReadOnlyInline):
    model = Repayment
    fk_name = "loan"
    show_change_link = False
    fields = readonly_fields = ["business_date", "kind", "amount", "penalty", "interest", "principal", "channel"]


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


def _bounce_next_installment(*, loan_id, actor, reason: str) -> Bounce:
    """The loan page's "record a bounce": the oldest unpaid installment bounced with the NACH
    return code ops type first in the reason (a note may follow it)."""
    installment = (
        Installment.objects.filter(loan_id=loan_id).exclude(status=Installment.Status.PAID).order_by("number").first()
    )
    if installment is None:
        raise Conflict("Every installment of this loan is paid.", code="installment_paid")
    words = reason.split()
    return emi_bounce(installment_id=installment.pk, code=words[0] if words else "", actor=actor)


LOAN_PAGE.add_button(
    Button(
        "record_bounce",
        "Record a bounce",
        _bounce_next_installment,
        transition="record_bounce",
        needs_reason=True,
        permission="repayments.add_bounce",
    )
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
