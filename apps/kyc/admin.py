from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from apps.core.admin_actions import reason_action
from apps.core.admin_base import FastListMixin, ModelAdmin, ReadOnlyAdmin, ReadOnlyInline, WorklistAdmin
from apps.core.admin_filters import fixed_choices_filter
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.kyc.bank_accounts import bank_account_approve
from apps.kyc.models import BankAccount, Business, Collateral, KycCheck, KycDocument, KycReviewItem
from apps.kyc.services import kyc_approve, kyc_reject
from apps.kyc.validation import VALID_STATE_CODES


class KycCheckInline(ReadOnlyInline):
    model = KycCheck
    fields = ["check_type", "outcome", "reference", "detail", "latency_ms", "request_masked", "created_at"]
    readonly_fields = fields
    show_change_link = False


class KycDocumentInline(ReadOnlyInline):
    model = KycDocument
    fields = ["doc_type", "sha256", "size", "content_type", "created_at"]
    readonly_fields = fields
    show_change_link = False


class CollateralInline(ReadOnlyInline):
    model = Collateral
    fields = ["type", "description", "value", "valuation_date", "lien_status", "lien_reference"]
    readonly_fields = fields


class BankAccountInline(ReadOnlyInline):
    model = BankAccount
    fields = readonly_fields = [
        "bank_name",
        "ifsc",
        "account_last4",
        "holder_name",
        "name_at_bank",
        "name_match_score",
        "status",
        "is_primary",
    ]
    show_change_link = True


@admin.register(Business)
class BusinessAdmin(TransitionButtonsMixin, FastListMixin, ModelAdmin):
    list_display = ["legal_name", "gstin", "pan", "kyc_status", "gst_status", "created_at", "view_360"]
    # Fixed lists, not a DISTINCT over every business: onboarding stores the GST network's
    # ACTIVE, or CANCELLED (else blank), and a GSTIN's state code is one of the valid ones.
    list_filter = [
        "kyc_status",
        fixed_choices_filter("gst_status", ["ACTIVE", "CANCELLED"], title="GST status"),
        fixed_choices_filter("state_code", sorted(VALID_STATE_CODES), title="state code"),
    ]
    search_fields = ["=gstin", "=pan", "legal_name__istartswith", "=owner__phone", "=id"]
    exclude = ["aadhaar_hash"]
    inlines = [KycCheckInline, KycDocumentInline, CollateralInline, BankAccountInline]
    transition_buttons = [
        Button("approve", "Approve KYC", kyc_approve, transition="approve", needs_reason=True),
        Button("reject", "Reject KYC", kyc_reject, transition="reject", needs_reason=True),
    ]
    actions = [
        reason_action(kyc_approve, description="Approve KYC (manual review)", name="approve_kyc"),
        reason_action(kyc_reject, description="Reject KYC (manual review)", name="reject_kyc"),
    ]

    @admin.display(description="360")
    def view_360(self, business):
        # The borrower 360 is registered by apps.reports (it reads loans and repayments).
        return format_html('<a href="{}">Open 360</a>', reverse("admin:borrower_360", args=[business.pk]))

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Business._meta.fields if field.name != "aadhaar_hash"] + ["view_360"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Collateral)
class CollateralAdmin(FastListMixin, ModelAdmin):
    list_display = ["business", "type", "value", "valuation_date", "lien_status"]
    list_filter = ["type", "lien_status"]
    search_fields = ["=business__gstin", "=lien_reference"]
    list_select_related = ["business"]
    raw_id_fields = ["business"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Collateral._meta.fields]

    def has_add_permission(self, request):
        return False  # collateral comes in through the API service, which audits it

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KycReviewItem)
class KycReviewWorklist(WorklistAdmin):
    """Businesses whose KYC checks sent them to MANUAL_REVIEW, oldest first.

    No bulk approve or reject: approving KYC is a person looking at this business's checks
    and documents (the business page, where the Approve and Reject buttons are), and a bulk
    approval would be a rubber stamp the audit trail could not tell from a review."""

    list_display = ["business", "gstin", "pan", "owner_phone", "state_code", "kyc_reason", "waiting_since"]
    list_filter = [fixed_choices_filter("state_code", sorted(VALID_STATE_CODES), title="state code")]
    search_fields = ["=gstin", "=pan", "legal_name__istartswith"]
    list_select_related = ["owner"]
    ordering = ["created_at", "id"]
    sortable_by = ["business", "waiting_since"]
    csv_fields = ["id", "legal_name", "gstin", "pan", "owner__phone", "state_code", "kyc_reason", "created_at"]

    def worklist_queryset(self, queryset):
        return queryset.filter(kyc_status=Business.KycStatus.MANUAL_REVIEW)

    @admin.display(description="business", ordering="legal_name")
    def business(self, business):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:kyc_business_change", args=[business.pk]), business.legal_name
        )

    @admin.display(description="phone")
    def owner_phone(self, business):
        return business.owner.phone

    @admin.display(description="waiting since", ordering="created_at")
    def waiting_since(self, business):
        return business.created_at


@admin.register(BankAccount)
class BankAccountAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    """Bank accounts, never with the number (only its last four digits); a NAME_MISMATCH one
    waits for an OFFICER or ADMIN to approve the bank's name, with a reason."""

    list_display = [
        "business",
        "bank_name",
        "ifsc",
        "masked_number",
        "holder_name",
        "name_at_bank",
        "name_match_score",
        "status",
        "is_primary",
    ]
    list_filter = ["status"]
    search_fields = ["=business__gstin", "=ifsc", "=account_last4"]
    list_select_related = ["business"]
    show_facets = admin.ShowFacets.NEVER
    exclude = ["account_hash"]
    transition_buttons = [
        Button(
            "approve",
            "Approve the bank's name",
            bank_account_approve,
            transition="approve",
            needs_reason=True,
            key="bank_account_id",
        )
    ]

    @admin.display(description="account")
    def masked_number(self, account):
        return f"••••{account.account_last4}"
