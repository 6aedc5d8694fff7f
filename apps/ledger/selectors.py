"""Reads of the books. Totals come from the journal itself unless a name says "snapshot"."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from apps.core.money import ZERO
from apps.ledger.models import Account, AccountBalanceStripe, AccountLoanBalance, JournalLine


def trial_balance() -> list[dict]:
    """Per account, from the journal: debit, credit, and balance (debit - credit)."""
    totals = {
        row["account_id"]: row
        for row in JournalLine.objects.values("account_id").annotate(
            debit=Coalesce(Sum("debit"), ZERO), credit=Coalesce(Sum("credit"), ZERO)
        )
    }
    rows = []
    for account in Account.objects.order_by("code"):
        row = totals.get(account.code, {"debit": ZERO, "credit": ZERO})
        rows.append(
            {
                "code": account.code,
                "name": account.name,
                "type": account.type,
                "debit": row["debit"],
                "credit": row["credit"],
                "balance": row["debit"] - row["credit"],
            }
        )
    return rows


def ledger_summary() -> dict:
    accounts = trial_balance()
    total_debit = sum((row["debit"] for row in accounts), ZERO)
    total_credit = sum((row["credit"] for row in accounts), ZERO)
    return {
        "accounts": accounts,
        "total_debit": total_debit,
        "total_credit": total_credit,
        "balanced": total_debit == total_credit,
    }


def snapshot_balances() -> dict[str, Decimal]:
    """Account code -> balance (debit - credit) from the snapshots: the sum of the stripes."""
    rows = AccountBalanceStripe.objects.values("account_id").annotate(dr=Sum("debit_total"), cr=Sum("credit_total"))
    return {row["account_id"]: row["dr"] - row["cr"] for row in rows}


def loan_balances(loan_id) -> dict[str, Decimal]:
    """Account code -> balance (debit - credit) of one loan, from the per-loan snapshot."""
    return loans_balances([loan_id]).get(loan_id, {})


def loans_balances(loan_ids) -> dict:
    """Set-based: {loan_id: {account code: balance}} in one query."""
    result: dict = defaultdict(dict)
    for row in AccountLoanBalance.objects.filter(loan_id__in=list(loan_ids)):
        result[row.loan_id][row.account_id] = row.debit_total - row.credit_total
    return dict(result)


def loan_journal_balances(loan_id) -> dict[str, Decimal]:
    """The same figures computed from the journal lines, for reconciliation."""
    return {
        row["account_id"]: row["debit"] - row["credit"]
        for row in JournalLine.objects.filter(loan_id=loan_id)
        .values("account_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
