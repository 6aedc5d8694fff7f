"""Applying the rail's payment.succeeded webhooks: N payments on N loans, each stored through the
real intake (signature checked, stored once), then applied by several worker processes sharing
the queue, 50 events a transaction through the set-based applier (each event: the intent, the
loan's oldest dues, the ledger entry, the repayment, the audit and outbox rows). Printed next
to pgbench tpcb-like with as many clients, same server, same run. The issue's bar: at least
200 events applied a second on this machine.

    python bench/webhooks_apply.py [--events 5000] [--procs 2]
"""

import argparse
import datetime
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pgbench_tps, report, scratch_database, setup_django

DAY = datetime.date(2027, 6, 15)


def _worker(url: str, start_event, results) -> None:
    os.environ["OUTBOX_NOTIFY"] = "false"
    setup_django(url)
    from apps.payments.webhooks import webhook_events_apply

    start_event.wait()
    results.put(webhook_events_apply(limit=10**9))


def _intents(count: int) -> list[tuple[str, str]]:
    """One CREATED intent per loan for what its first (overdue) installment owes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO payments_paymentintent (id, created_at, updated_at, loan_id, amount, method, status,
                   provider_reference, payment_url, utr, failure_code, failure_reason, idempotency_key)
               SELECT gen_random_uuid(), now(), now(), i.loan_id,
                      i.principal_due + i.interest_due - i.principal_paid - i.interest_paid, 'UPI', 'CREATED',
                      '', '', '', '', '', ''
               FROM loans_installment i WHERE i.number = 1 AND i.status <> 'PAID'
               ORDER BY i.loan_id LIMIT %s
               RETURNING id::text, amount::text""",
            [count],
        )
        return cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10, help="length of the pgbench baseline")
    args = parser.parse_args()
    os.environ["OUTBOX_NOTIFY"] = "false"  # the bench's processes apply; no broker messages
    baseline = pgbench_tps(clients=args.procs, seconds=args.seconds)
    with scratch_database("webhooks") as url:
        setup_django(url)
        from django.conf import settings

        from apps.core.business_date import business_date_set
        from apps.core.signatures import sign
        from apps.ledger.balances import find_drift
        from apps.payments.models import PaymentIntent, WebhookEvent
        from apps.payments.webhooks import webhook_receive
        from apps.repayments.models import Repayment
        from bench.seed_book import seed_book

        seed_book(args.events, day=DAY, unpaid_every=1)  # every loan's first installment is overdue
        business_date_set(date=DAY)
        intents = _intents(args.events)
        began = time.perf_counter()
        for n, (intent_id, amount) in enumerate(intents):
            body = json.dumps(
                {
                    "id": f"evt_bench_{n}",
                    "type": "payment.succeeded",
                    "created": int(time.time()),
                    "data": {"intent_id": intent_id, "amount": amount, "utr": f"BENCHUTR{n:010d}"},
                }
            ).encode()
            webhook_receive(raw_body=body, signature=sign(settings.PAYMENT_WEBHOOK_SECRET, body))
        intake = time.perf_counter() - began
        print(f"stored {len(intents):,} signed events through the intake in {intake:.1f}s", flush=True)

        ctx = multiprocessing.get_context("spawn")
        start, results = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(url, start, results)) for _ in range(args.procs)]
        for proc in procs:
            proc.start()
        time.sleep(4)
        began = time.perf_counter()
        start.set()
        for proc in procs:
            proc.join()
        elapsed = time.perf_counter() - began
        applied = sum(results.get() for _ in procs)
        booked = Repayment.objects.count()
        succeeded = PaymentIntent.objects.filter(status="SUCCEEDED").count()
        left = WebhookEvent.objects.exclude(status="APPLIED").count()
        drift = find_drift()
    rate = applied / elapsed if elapsed else 0.0
    report(
        f"webhook events applied ({args.procs} procs)",
        rate,
        "events/s",
        baseline,
        "pgbench tpcb-like tps",
        target="≥ 200 events/s",
        met=rate >= 200,
    )
    print(f"{applied:,} applied in {elapsed:.1f}s; intake {len(intents) / intake:,.0f} events/s")
    print(f"repayments booked {booked:,}, intents succeeded {succeeded:,}, events not applied {left}")
    print(f"ledger drift {len(drift)}")


if __name__ == "__main__":
    main()
