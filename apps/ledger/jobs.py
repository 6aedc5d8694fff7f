"""The nightly proof that the balance snapshots equal the journal: the ledger summary and the
per-loan balances are read from the snapshots, so a difference must not wait for someone to run
`manage.py rebuild_balances --check`."""

from apps.core.jobs import job
from apps.ledger.balances import find_drift


class LedgerDrift(Exception):
    """The snapshots and the journal disagree: the job fails, and its run shows where."""


@job("ledger_drift_check", description="Prove the balance snapshots equal the journal (fails on any difference).")
def ledger_drift_check(*, business_date):
    drift = find_drift()
    if drift:
        shown = "; ".join(drift[:20])
        raise LedgerDrift(f"{len(drift)} snapshot(s) differ from the journal: {shown}")
    return {"drift": 0}
