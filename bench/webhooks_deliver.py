"""Partner webhook deliveries: N events fanned out to one subscribed endpoint, a local receiver
that answers 500 to 1 % of them, then sent by `deliveries_send` (leased batches, a thread pool,
outcomes recorded through the state machine). Printed next to pgbench tpcb-like (2 clients),
same server, same run. The issue's bar: at least 200 deliveries a second.

    python bench/webhooks_deliver.py [--events 5000]
"""

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pgbench_tps, report, scratch_database, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=10, help="length of the pgbench baseline")
    args = parser.parse_args()
    os.environ["OUTBOX_NOTIFY"] = "false"  # this process sends; no broker messages
    baseline = pgbench_tps(clients=2, seconds=args.seconds)
    with scratch_database("deliver") as url:
        setup_django(url)
        from django.db import transaction

        from apps.accounts.models import User
        from apps.core.outbox import events_dispatch, events_emit_many
        from apps.webhooks.models import WebhookDelivery
        from apps.webhooks.services import deliveries_send, endpoint_register
        from tests.support.receiver import start_receiver

        receiver, server = start_receiver()
        admin = User.objects.create(username="bench-admin", role="ADMIN")
        endpoint_register(url=receiver.url, events=["loan.disbursed"], actor=admin)
        loans = [uuid.uuid4() for _ in range(args.events)]
        with transaction.atomic():
            events = events_emit_many(
                "loan.disbursed", [(("loans.loan", loan), {"loan_id": str(loan)}) for loan in loans]
            )
        from apps.core.models import Event

        failing = {str(e) for e in Event.objects.values_list("event_id", flat=True)[: max(1, events // 100)]}
        receiver.status_for.update(dict.fromkeys(failing, 500))
        began = time.perf_counter()
        events_dispatch()
        fan_out = time.perf_counter() - began
        print(f"{events:,} events fanned out to deliveries in {fan_out:.1f}s ({events / fan_out:,.0f}/s)", flush=True)
        began = time.perf_counter()
        counts = deliveries_send(max_batches=10**6)
        elapsed = time.perf_counter() - began
        server.shutdown()
        attempted = sum(counts.values())
        retrying = WebhookDelivery.objects.filter(status="RETRYING").count()
        delivered = WebhookDelivery.objects.filter(status="DELIVERED").count()
    rate = attempted / elapsed if elapsed else 0.0
    report(
        "partner deliveries sent",
        rate,
        "deliveries/s",
        baseline,
        "pgbench tpcb-like tps",
        target="≥ 200 deliveries/s",
        met=rate >= 200,
    )
    print(f"{attempted:,} sent in {elapsed:.1f}s: {counts}")
    planted, received = len(failing), len(receiver.received)
    print(f"delivered {delivered:,}, retrying {retrying:,} (planted failures {planted:,}), received {received:,}")


if __name__ == "__main__":
    main()
