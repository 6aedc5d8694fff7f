"""Bank data in the console: consents, the syncs with each bank's result and the calls they made,
the status log of every call to a bank, and the accounts as the aggregator last reported them.
All read-only: bank data changes only through the aggregator (apps/banking/services.py, sync.py).
What the borrower 360 shows of it is drawn in apps/reports/borrowers.py."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from apps.banking.models import BankAccount, BankCall, BankSync, BankTransaction, Consent
from apps.core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from apps.core.admin_filters import fixed_choices_filter
from apps.core.inr import inr

# What a call's `status` holds (apps/banking/sync.py, providers.py): the HTTP status the
# aggregator answered, or what went wrong before or after it. A fixed list: a DISTINCT over the
# status log is a scan of the biggest table of the app.
CALL_STATUSES = [
    ("200", "200 OK"),
    ("401", "401"),
    ("403", "403 consent not active"),
    ("404", "404"),
    ("429", "429"),
    ("500", "500"),
    ("502", "502"),
    ("503", "503 bank down"),
    ("504", "504"),
    ("unreachable", "unreachable"),
    ("refused", "signature refused"),
    ("invalid", "malformed answer"),
]
LATEST_TRANSACTIONS = 20


def _table(headers, rows, *, numeric=(), table_id="") -> str:
    """An escaped table (every cell through format_html); columns in `numeric` right-aligned."""
    if not rows:
        return mark_safe('<span class="muted">none</span>')
    cell = ['<td class="num">{}</td>' if i in numeric else "<td>{}</td>" for i in range(len(headers))]
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    body = format_html_join("", "<tr>" + "".join(cell) + "</tr>", rows)
    return format_html(
        '<table class="console-table" id="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', table_id, head, body
    )


class TitledListMixin:
    """A list whose page is titled `list_title` rather than after the model's name."""

    list_title = ""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": self.list_title, **(extra_context or {})})


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    """Bank-data consents as the aggregator last signed them; they change only through it."""

    list_display = ["business", "bank", "status", "months", "expires_at", "status_changed_at", "last_polled_at"]
    # No filter on bank: its values are the aggregator's, and a DISTINCT over consents is not.
    list_filter = ["status"]
    search_fields = ["=business__gstin", "=consent_handle"]
    list_select_related = ["business"]


class BankCallInline(ReadOnlyInline):
    model = BankCall
    verbose_name_plural = "calls to the banks"
    fields = readonly_fields = ["created_at", "bank", "endpoint", "ok", "status", "latency_ms", "attempts", "error"]
    ordering = ["created_at", "id"]
    show_change_link = False


@admin.register(BankSync)
class BankSyncAdmin(ReadOnlyAdmin):
    """Each fetch of a business's bank data: how it went at each bank, and the calls it made."""

    list_display = ["business", "status", "trigger", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["=business__gstin", "=id"]
    list_select_related = ["business"]
    fields = readonly_fields = [
        "business",
        "status",
        "trigger",
        "requested_by",
        "created_at",
        "finished_at",
        "bank_results",
    ]
    inlines = [BankCallInline]

    @admin.display(description="per bank")
    def bank_results(self, sync):
        rows = [
            (
                result.get("bank", ""),
                result.get("status", ""),
                result.get("accounts", 0),
                result.get("transactions", 0),
                result.get("new_transactions", 0),
                result.get("error") or "—",
            )
            for result in sync.banks or []
        ]
        headers = ["Bank", "Result", "Accounts", "Transactions", "New", "Error"]
        return _table(headers, rows, numeric=(2, 3, 4), table_id="sync-banks")


@admin.register(BankCall)
class BankCallAdmin(TitledListMixin, ReadOnlyAdmin):
    """The bank status log: every call made to a bank through the aggregator, answered or not."""

    list_display = ["created_at", "business", "bank", "endpoint", "ok", "status", "latency_ms", "attempts", "error"]
    list_filter = ["ok", fixed_choices_filter("status", CALL_STATUSES)]
    search_fields = ["=business__gstin"]
    list_select_related = ["business"]
    fields = readonly_fields = [
        "created_at",
        "business",
        "sync",
        "bank",
        "endpoint",
        "ok",
        "status",
        "latency_ms",
        "attempts",
        "error",
    ]
    list_title = "Bank status log"


@admin.register(BankAccount)
class BankAccountAdmin(TitledListMixin, ReadOnlyAdmin):
    """Accounts shared through the aggregator, as its last answer reported them (not the payout
    accounts of kyc.BankAccount)."""

    # The holder's name and when it was synced are on the account's page: the list fits the screen.
    list_display = ["business", "bank", "masked_number", "type", "balance", "balance_at"]
    search_fields = ["=business__gstin", "=link_ref"]
    list_select_related = ["business"]
    fields = readonly_fields = [
        "business",
        "bank",
        "masked_number",
        "type",
        "holder_name",
        "link_ref",
        "balance",
        "balance_at",
        "synced_at",
        "latest_transactions",
    ]
    list_title = "Bank accounts shared through the aggregator"

    @admin.display(description=f"newest {LATEST_TRANSACTIONS} transactions")
    def latest_transactions(self, account):
        rows = [
            (
                format_html('<span class="nowrap">{}</span>', txn.date.strftime("%d %b %Y")),
                txn.narration,
                txn.get_category_display(),
                inr(txn.amount) if txn.direction == BankTransaction.Direction.CREDIT else "",
                inr(txn.amount) if txn.direction == BankTransaction.Direction.DEBIT else "",
                inr(txn.balance_after),
            )
            # Over the (business, date) index, newest first, rather than sorting the account's all.
            for txn in BankTransaction.objects.filter(business_id=account.business_id, account=account).order_by(
                "-date", "-posted_at", "-id"
            )[:LATEST_TRANSACTIONS]
        ]
        headers = ["Date", "Narration", "Category", "Credit", "Debit", "Balance"]
        return _table(headers, rows, numeric=(3, 4, 5), table_id="account-transactions")
