from django.contrib import admin
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_csv import CsvExportMixin
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.core.money import ZERO
from apps.ledger.approvals import ledger_reversal_request, reversible
from apps.ledger.models import Account, AccountBalanceStripe, JournalEntry, JournalLine


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "type", "snapshot_balance"]
    list_filter = ["type"]

    def get_queryset(self, request):
        # The balance is the sum of the account's snapshot stripes: one subquery per row.
        stripes = (
            AccountBalanceStripe.objects.filter(account=OuterRef("pk"))
            .values("account")
            .annotate(balance=Sum(F("debit_total") - F("credit_total")))
            .values("balance")
        )
        return super().get_queryset(request).annotate(snapshot=Coalesce(Subquery(stripes), Value(ZERO)))

    @admin.display(description="balance (snapshot)")
    def snapshot_balance(self, account):
        return account.snapshot


class JournalLineInline(ReadOnlyInline):
    model = JournalLine
    fields = ["account", "debit", "credit", "loan_id", "borrower_id"]
    readonly_fields = fields
    show_change_link = False


def _ask_reversal(*, entry_id, actor, reason):
    ledger_reversal_request(entry_id=entry_id, reason=reason, actor=actor)
    return (
        "Asked to reverse this entry: the reversal is posted when an ADMIN other than you approves it "
        "under Worklists → Approvals."
    )


@admin.register(JournalEntry)
class JournalEntryAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    # A ledger adjustment with four eyes. Asking changes nothing, so viewing the journal is
    # enough to ask; only an ADMIN who did not ask can approve (apps/ledger/approvals.py).
    transition_buttons = [
        Button(
            "reverse",
            "Reverse this entry (four eyes)",
            _ask_reversal,
            condition=reversible,
            needs_reason=True,
            permission="ledger.view_journalentry",
            key="entry_id",
        )
    ]
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
