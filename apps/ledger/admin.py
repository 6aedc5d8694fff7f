from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_csv import CsvExportMixin
from apps.ledger.models import Account, AccountBalanceStripe, JournalEntry, JournalLine


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "type", "snapshot_balance"]
    list_filter = ["type"]
    list_select_related = ["snapshot"]

    @admin.display(description="balance (snapshot)")
    def snapshot_balance(self, account):
        snapshot = getattr(account, "snapshot", None)
        return snapshot.balance if snapshot else 0


class JournalLineInline(ReadOnlyInline):
    model = JournalLine
    fields = ["account", "debit", "credit", "loan_id", "borrower_id"]
    readonly_fields = fields
    show_change_link = False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyAdmin):
    list_display = ["posted_at", "business_date", "entry_type", "memo", "loan_id", "idempotency_key"]
    # A date filter rather than date_hierarchy, whose year/month links scan the whole journal.
    list_filter = ["entry_type", "business_date"]
    search_fields = ["=id", "=loan_id", "=idempotency_key"]
    inlines = [JournalLineInline]


@admin.register(JournalLine)
class JournalLineAdmin(CsvExportMixin, ReadOnlyAdmin):
    csv_fields = ["id", "entry__business_date", "entry__entry_type", "account_id", "debit", "credit", "loan_id"]
    list_display = ["id", "entry", "account", "debit", "credit", "loan_id"]
    list_filter = ["account"]
    search_fields = ["=loan_id", "=entry__id"]
    list_select_related = ["entry", "account"]
    raw_id_fields = ["entry"]


@admin.register(AccountBalanceStripe)
class AccountBalanceStripeAdmin(ReadOnlyAdmin):
    """The raw snapshot rows; an account's balance is the sum of its stripes (the trial balance
    in /admin/ledger/summary and the dashboard add them up)."""

    list_display = ["account", "stripe", "debit_total", "credit_total", "balance"]
    list_filter = ["account"]
    ordering = ["account", "stripe"]
