"""Rebuilding the balance snapshots from the journal, and finding drift without writing."""

from django.db import connection, transaction

_JOURNAL_ACCOUNT = """
SELECT account_id, coalesce(sum(debit), 0) AS debit_total, coalesce(sum(credit), 0) AS credit_total
FROM ledger_journalline GROUP BY account_id
"""
# Rebuilt totals go to stripe 0 (postings spread over the stripes again from there); the
# journal's own totals query, no input in it.
_REBUILD_ACCOUNT = (
    "INSERT INTO ledger_accountbalancestripe (account_id, stripe, debit_total, credit_total) "  # noqa: S608
    "SELECT account_id, 0, debit_total, credit_total FROM (" + _JOURNAL_ACCOUNT + ") AS journal"
)
_SNAPSHOT_ACCOUNT = """
SELECT account_id, sum(debit_total), sum(credit_total) FROM ledger_accountbalancestripe GROUP BY account_id
"""
_JOURNAL_LOAN = """
SELECT loan_id, account_id, sum(debit), sum(credit) FROM ledger_journalline
WHERE loan_id IS NOT NULL GROUP BY loan_id, account_id
"""


def _pair(label: str, totals) -> str:
    return f"{label} Dr {totals[0]} Cr {totals[1]}"


def _fetch(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def find_drift() -> list[str]:
    """Human-readable differences between the snapshots and the journal; empty when they agree."""
    drift = []
    journal = {row[0]: (row[1], row[2]) for row in _fetch(_JOURNAL_ACCOUNT)}
    snapshot = {row[0]: (row[1], row[2]) for row in _fetch(_SNAPSHOT_ACCOUNT)}
    for code in sorted(set(journal) | set(snapshot)):
        expected, actual = journal.get(code, (0, 0)), snapshot.get(code, (0, 0))
        if expected != actual:
            drift.append(f"account {code}: {_pair('snapshot', actual)}, {_pair('journal', expected)}")
    journal_loans = {(row[0], row[1]): (row[2], row[3]) for row in _fetch(_JOURNAL_LOAN)}
    snapshot_loans = {
        (row[0], row[1]): (row[2], row[3])
        for row in _fetch("SELECT loan_id, account_id, debit_total, credit_total FROM ledger_accountloanbalance")
    }
    for key in sorted(set(journal_loans) | set(snapshot_loans), key=str):
        expected, actual = journal_loans.get(key, (0, 0)), snapshot_loans.get(key, (0, 0))
        if expected != actual:
            drift.append(f"loan {key[0]} account {key[1]}: {_pair('snapshot', actual)}, {_pair('journal', expected)}")
    return drift


@transaction.atomic
def rebuild_balances() -> None:
    """Recompute both snapshot tables from the journal, under a lock that holds posting off."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE ledger_accountbalancestripe, ledger_accountloanbalance IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM ledger_accountbalancestripe")
        cursor.execute("DELETE FROM ledger_accountloanbalance")
        cursor.execute(_REBUILD_ACCOUNT)
        cursor.execute(
            "INSERT INTO ledger_accountloanbalance (loan_id, account_id, debit_total, credit_total) " + _JOURNAL_LOAN
        )
