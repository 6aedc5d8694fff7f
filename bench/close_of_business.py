"""The nightly close of business on a synthetic book of N loans x 12 installments, timed next
to one plain UPDATE touching every loan row, in the same run on the same server. Also reports
the peak memory of the job's process (it must stay flat: set-based, chunked).

    python bench/close_of_business.py [--loans 1000000]
"""

import argparse
import datetime
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import report, scratch_database, setup_django

DAY = datetime.date(2027, 6, 15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=1_000_000)
    args = parser.parse_args()
    with scratch_database("cob") as url:
        setup_django(url)
        from django.db import connection, transaction

        from apps.core.business_date import business_date_set
        from apps.ledger.balances import find_drift
        from apps.repayments.close_of_business import close_of_business
        from bench.seed_book import seed_book

        started = time.perf_counter()
        with transaction.atomic():
            seed_book(args.loans, day=DAY)
        print(f"seeded {args.loans:,} loans x 12 installments in {time.perf_counter() - started:.1f}s", flush=True)
        business_date_set(date=DAY)

        from bench.admin_changelist import measure

        changelist = measure()

        with connection.cursor() as cursor:
            began = time.perf_counter()
            with transaction.atomic():
                cursor.execute("UPDATE loans_loan SET dpd = dpd")
                touched = cursor.rowcount
            baseline = time.perf_counter() - began
            cursor.execute("VACUUM ANALYZE loans_loan")

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        began = time.perf_counter()
        counts = close_of_business(DAY)
        job = time.perf_counter() - began
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        again = time.perf_counter()
        rerun = close_of_business(DAY)
        rerun_seconds = time.perf_counter() - again
        drift = find_drift()
    for name, page_ms, sql_ms in changelist:
        print(f"admin loan changelist, {name}: median {page_ms:.0f} ms (its SQL alone {sql_ms:.0f} ms)")
    print(f"job counts: {counts}")
    print(f"re-run for the same date: {rerun_seconds:.2f}s, counts {rerun}")
    print(f"plain UPDATE touched {touched:,} rows")
    report(
        f"close of business ({args.loans:,} loans)",
        job,
        "s",
        baseline,
        "plain UPDATE of every loan row (s)",
        target="≤ 5x the plain UPDATE",
        met=job <= 5 * baseline,
    )
    print(
        f"peak RSS before the job {rss_before / 1024:.0f} MiB, after {rss_after / 1024:.0f} MiB; "
        f"ledger drift {len(drift)}"
    )


if __name__ == "__main__":
    main()
