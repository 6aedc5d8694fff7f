"""Ledger posting throughput: N journal entries of 4 lines each, posted by several processes,
next to pgbench's tpcb-like tps on the same server with the same number of clients.

    python bench/ledger_posting.py [--entries 4000] [--procs 4] [--seconds 10]
"""

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pgbench_tps, report, scratch_database, setup_django


def _worker(url: str, worker: int, count: int, start_event) -> None:
    setup_django(url)
    import datetime
    import uuid
    from decimal import Decimal

    from django.db import transaction

    from apps.ledger import chart
    from apps.ledger.services import Line, journal_post

    day = datetime.date(2026, 11, 22)
    start_event.wait()
    for i in range(count):
        loan = uuid.uuid4()
        with transaction.atomic():
            journal_post(
                entry_type="REPAYMENT",
                lines=[
                    Line(chart.BANK_COLLECTIONS, debit=Decimal("1000.00"), loan_id=loan),
                    Line(chart.CHARGES_RECEIVABLE, credit=Decimal("100.00"), loan_id=loan),
                    Line(chart.INTEREST_RECEIVABLE, credit=Decimal("150.00"), loan_id=loan),
                    Line(chart.LOAN_PRINCIPAL, credit=Decimal("750.00"), loan_id=loan),
                ],
                idempotency_key=f"bench:{worker}:{i}",
                business_date=day,
                loan_id=loan,
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=int(os.environ.get("BENCH_ENTRIES", 4000)))
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()

    baseline = pgbench_tps(clients=args.procs, seconds=args.seconds)
    with scratch_database("ledger") as url:
        ctx = multiprocessing.get_context("spawn")
        start = ctx.Event()
        per = args.entries // args.procs
        procs = [ctx.Process(target=_worker, args=(url, n, per, start)) for n in range(args.procs)]
        for proc in procs:
            proc.start()
        time.sleep(3)  # let every worker import Django and connect before the clock starts
        began = time.perf_counter()
        start.set()
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - began
        if any(proc.exitcode for proc in procs):
            raise SystemExit("a worker failed")
        setup_django(url)
        from apps.ledger.balances import find_drift
        from apps.ledger.models import JournalEntry

        posted = JournalEntry.objects.count()
        drift = find_drift()
    report(
        f"ledger posting ({args.procs} procs, 4-line entries)",
        posted / elapsed,
        "entries/s",
        baseline,
        f"pgbench tpcb-like tps ({args.procs} clients)",
        target="≥ 40 % of pgbench",
        met=posted / elapsed >= 0.40 * baseline,
    )
    print(f"entries posted {posted} in {elapsed:.2f}s; snapshot drift after the run: {len(drift)}")


if __name__ == "__main__":
    main()
