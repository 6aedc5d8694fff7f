from django.contrib import admin

from apps.banking.models import Consent
from apps.core.admin_base import ReadOnlyAdmin


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """Bank-data consents as the aggregator last signed them; they change only through it."""

    list_display = ["business", "bank", "status", "months", "expires_at", "status_changed_at", "last_polled_at"]
    # No filter on bank: its values are the aggregator's, and a DISTINCT over consents is not.
    list_filter = ["status"]
    search_fields = ["=business__gstin", "=consent_handle"]
    list_select_related = ["business"]
