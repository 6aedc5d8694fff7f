"""Reads of the books. Totals come from the journal itself unless a name says "snapshot" (and
`ledger_summary`, which reads the snapshots that `ledger_drift_check` proves every night)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from apps.core.money import ZERO
from apps.ledger.models import Account, AccountBalanceStripe, AccountLoanBalance, JournalLine


def trial_balance() -> list[dict]:
    """Per account, from the journal: debit, credit, and balance (debit - credit)."""
    totals = JournalLine.objects.values("account_id").annotate(
        debit=Coalesce(Sum("debit"), ZERO), credit=Coalesce(Sum("credit"), ZERO)
    )
    return _per_account(totals)


def trial_balance_snapshot() -> list[dict]:
    """`trial_balance` from the snapshots: the same figures (every posting moves its accounts'
    stripes in its own transaction, and `balances.find_drift` proves them against the journal),
    read from eight rows an account instead of every journal line of the book."""
    return _per_account(_stripe_totals())


def _stripe_totals():
    """Per account, its stripes summed: debit and credit."""
    return AccountBalanceStripe.objects.values("account_id").annotate(
        debit=Sum("debit_total"), credit=Sum("credit_total")
    )


def _per_account(totals) -> list[dict]:
    by_code = {row["account_id"]: row for row in totals}
    rows = []
    for account in Account.objects.order_by("code"):
        row = by_code.get(account.code, {"debit": ZERO, "credit": ZERO})
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
    """The trial balance and whether it balances, from the snapshots (a book of tens of millions
    of journal lines answers in milliseconds)."""
    accounts = trial_balance_snapshot()
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
    return {row["account_id"]: row["debit"] - row["credit"] for row in _stripe_totals()}


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
