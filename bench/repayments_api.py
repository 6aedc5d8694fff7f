"""10,000 EMI payments through the HTTP API (the whole Django + DRF stack, in-process WSGI
client, one per process), from several processes, next to pgbench tpcb-like with as many
clients on the same server in the same run.

    python bench/repayments_api.py [--payments 10000] [--procs 4]
"""

import argparse
import datetime
import multiprocessing
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pgbench_tps, report, scratch_database, setup_django, unthrottle

DAY = datetime.date(2027, 6, 15)


def _worker(url: str, token: str, installment_ids: list, start_event, results) -> None:
    setup_django(url)
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    start_event.wait()
    ok = 0
    for n, installment_id in enumerate(installment_ids):
        response = client.post(
            f"/api/v1/repayments/emi/{installment_id}/pay",
            {"amount": "100.00"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{installment_id}-{n}",
        )
        ok += response.status_code == 201
    results.put(ok)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    baseline = pgbench_tps(clients=args.procs, seconds=args.seconds)
    with scratch_database("pay") as url:
        setup_django(url)
        from apps.accounts.services import user_create_staff
        from apps.accounts.tokens import tokens_for_user
        from apps.core.business_date import business_date_set
        from apps.loans.models import Installment
        from bench.seed_book import seed_book

        seed_book(args.payments, day=DAY)
        unthrottle()
        business_date_set(date=DAY)
        officer = user_create_staff(username="bench-officer", password="Bench-officer-pass-1", role="OFFICER")
        token = tokens_for_user(officer)["access"]
        ids = [
            str(pk)
            for pk in Installment.objects.filter(status="PENDING", number=12)
            .order_by("loan_id")
            .values_list("id", flat=True)[: args.payments]
        ]
        ctx = multiprocessing.get_context("spawn")
        start, results = ctx.Event(), ctx.Queue()
        chunks = [ids[i :: args.procs] for i in range(args.procs)]
        procs = [ctx.Process(target=_worker, args=(url, token, chunk, start, results)) for chunk in chunks]
        for proc in procs:
            proc.start()
        time.sleep(4)
        began = time.perf_counter()
        start.set()
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - began
        ok = sum(results.get() for _ in procs)
        from apps.ledger.balances import find_drift

        drift = find_drift()
    report(
        f"API repayments ({args.procs} procs)",
        ok / elapsed,
        "payments/s",
        baseline,
        f"pgbench tpcb-like tps ({args.procs} clients)",
    )
    print(f"{ok} of {len(ids)} payments answered 201 in {elapsed:.1f}s; ledger drift {len(drift)}")


if __name__ == "__main__":
    main()
