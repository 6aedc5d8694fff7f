"""The loan page ops work from: the loan admin of apps.loans, extended here (the top layer) with
what later apps hold — repayments, bounces, recovery, classification history, ledger lines and
the audit trail — all read-only."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.audit.models import AuditLog
from apps.collections.models import RecoveryAction
from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_csv import CsvExportMixin
from apps.core.admin_transitions import Button
from apps.ledger.models import JournalLine
from apps.loans.admin import LoanAdmin
from apps.loans.models import Loan
from apps.repayments.models import Bounce, LoanClassificationHistory, NachReturnCode, Repayment
from apps.repayments.services import bounce_next_installment


class RepaymentInline(ReadOnlyInline):
    model = Repayment
    fk_name = "loan"
    show_change_link = False
    fields = readonly_fields = ["business_date", "kind", "amount", "penalty", "interest", "principal", "channel"]


class BounceInline(ReadOnlyInline):
    model = Bounce
    show_change_link = False
    fields = readonly_fields = ["business_date", "installment", "return_code", "charge", "gst", "actor"]


class ClassificationInline(ReadOnlyInline):
    model = LoanClassificationHistory
    show_change_link = False
    fields = readonly_fields = ["business_date", "from_classification", "to_classification", "dpd"]


class RecoveryInline(ReadOnlyInline):
    model = RecoveryAction
    fields = readonly_fields = ["action_type", "status", "recovered_amount", "written_off_amount", "completed_on"]


def _table(headers, rows) -> str:
    """Every cell escaped, the markup around them safe: one format_html over safe parts (adding
    a plain str to a SafeString gave a plain str, and the page showed the tags as text)."""
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    body = format_html_join("", "<tr>" + "<td>{}</td>" * len(headers) + "</tr>", rows)
    return format_html("<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", head, body)


class LoanBookAdmin(LoanAdmin):
    inlines = [*LoanAdmin.inlines, RepaymentInline, BounceInline, ClassificationInline, RecoveryInline]
    extra_readonly = ("documents", "ledger_lines", "audit_trail")
    transition_buttons = [
        *LoanAdmin.transition_buttons,
        Button(
            "record_bounce",
            "Record a bounce",
            bounce_next_installment,
            transition="record_bounce",
            needs_reason=True,
            permission="repayments.add_bounce",
        ),
    ]

    @admin.display(description="KYC documents")
    def documents(self, loan):
        url = reverse("admin:kyc_business_change", args=[loan.business_id])
        kinds = ", ".join(loan.business.documents.values_list("doc_type", flat=True)) or "none uploaded"
        return format_html('<a href="{}">{}</a> (on the business page)', url, kinds)

    @admin.display(description="ledger lines")
    def ledger_lines(self, loan):
        lines = JournalLine.objects.filter(loan_id=loan.pk).select_related("entry").order_by("entry__posted_at", "id")
        rows = [
            (line.entry.business_date, line.entry.entry_type, line.account_id, line.debit, line.credit)
            for line in lines[:500]
        ]
        return _table(["date", "entry", "account", "debit", "credit"], rows)

    @admin.display(description="audit trail")
    def audit_trail(self, loan):
        logs = AuditLog.objects.filter(object_type="loans.loan", object_id=str(loan.pk)).select_related("actor")
        rows = [
            (log.at.strftime("%Y-%m-%d %H:%M"), log.action, log.actor or "system", log.reason) for log in logs[:200]
        ]
        return _table(["at", "action", "actor", "reason"], rows)


admin.site.unregister(Loan)
admin.site.register(Loan, LoanBookAdmin)


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
class NachReturnCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "description", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False
