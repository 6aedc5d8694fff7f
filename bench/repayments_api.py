"""EMI payments through the HTTP API as deployed: gunicorn with the Dockerfile's settings
(production, three sync workers, the /metrics counters shared through PROMETHEUS_MULTIPROC_DIR)
serving `POST /repayments/emi/{id}/pay` to several client processes over real HTTP, next to
pgbench tpcb-like with as many clients on the same server in the same run. Prints payments per
second, the ratio, and the p50 and p99 latency each client saw.

    python bench/repayments_api.py [--payments 10000] [--procs 4] [--seconds 10] [--workers 3]

Each client pays ₹100 installments one after another until the run's time is up or its share of
installments is spent. Every answer must be 201; the ledger must balance afterwards.

Before the payments the same clients read GET /auth/me for as long: a request that only passes
the web tier (gunicorn, the middleware, the token and its user, the throttles). That figure is
the ceiling no endpoint of this deployment can pass on this machine, printed beside the target.
"""

import argparse
import datetime
import http.client
import itertools
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import pgbench_tps, report, scratch_database, setup_django, unthrottle

DAY = datetime.date(2027, 6, 15)
# What the Dockerfile and docker-compose.yml give the web container, with values fit for a bench.
PRODUCTION_ENV = {
    "ENVIRONMENT": "production",
    "DEBUG": "false",
    "SANDBOX": "true",  # the sandbox rails (no outside call is made by a payment in any case)
    "SECRET_KEY": "bench-secret-key-not-for-use-0123456789abcdefghijklmnopqrstuvwxyz",
    "HASH_KEY": "bench-hash-key-not-for-use-0123456789abcdefghijklmnopqrstuvwxyz",
    "PAYMENT_WEBHOOK_SECRET": "whsec_bench_only",
    "ALLOWED_HOSTS": "127.0.0.1",
    "TRUSTED_PROXY_COUNT": "0",
    "METRICS_TOKEN": "bench-metrics-token",
    "LOG_LEVEL": "WARNING",
}
WORKERS = 3  # the Dockerfile's --workers


def _client(port: int, token: str, installment_ids, deadline_seconds: float, start_event, results) -> None:
    """Pay the installments one after another until the time is up; with None instead of a list,
    read the caller's own profile (GET /auth/me) over and over: the web tier's ceiling."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        # Behind the TLS-terminating proxy the deployment has: not redirected to https.
        "X-Forwarded-Proto": "https",
    }
    body = json.dumps({"amount": "100.00"})
    requests = (
        (
            ("POST", f"/api/v1/repayments/emi/{pk}/pay", body, {**headers, "Idempotency-Key": f"bench-{pk}"})
            for pk in installment_ids
        )
        if installment_ids is not None
        else itertools.repeat(("GET", "/api/v1/auth/me", None, headers))
    )
    latencies, statuses = [], Counter()
    start_event.wait()
    deadline = time.perf_counter() + deadline_seconds
    for method, path, payload, request_headers in requests:
        if time.perf_counter() >= deadline:
            break
        began = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # sync workers close each one
        conn.request(method, path, payload, request_headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        latencies.append(time.perf_counter() - began)
        statuses[response.status] += 1
    results.put((latencies, statuses))


def _drive(port: int, token: str, chunks: list, seconds: int) -> tuple[list, Counter, float]:
    """One client process per chunk (`_client`), started together; their latencies, answers and
    the time."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    clients = [ctx.Process(target=_client, args=(port, token, chunk, seconds, start, results)) for chunk in chunks]
    for client in clients:
        client.start()
    time.sleep(2)
    began = time.perf_counter()
    start.set()
    answers = [results.get() for _ in clients]
    elapsed = time.perf_counter() - began
    for client in clients:
        client.join()
    latencies = [sample for samples, _ in answers for sample in samples]
    return latencies, sum((counts for _, counts in answers), Counter()), elapsed


def _percentile(samples: list, share: float) -> float:
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[int(share * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=10_000, help="installments seeded (one loan each)")
    parser.add_argument("--procs", type=int, default=4, help="HTTP clients, and pgbench clients")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn sync workers (the Dockerfile's 3)")
    args = parser.parse_args()
    baseline = pgbench_tps(clients=args.procs, seconds=args.seconds)
    with scratch_database("pay") as url:
        os.environ["SECRET_KEY"] = PRODUCTION_ENV["SECRET_KEY"]  # the server must accept the token made here
        setup_django(url)
        from apps.accounts.services import user_create_staff
        from apps.accounts.tokens import tokens_for_user
        from apps.core.business_date import business_date_set
        from apps.ledger.balances import find_drift
        from apps.loans.models import Installment
        from apps.repayments.models import Repayment
        from bench.seed_book import seed_book
        from tests.support.gunicorn_server import GunicornServer

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
        # The same server the fault tests start, here with the deployment's settings; the
        # settings production refuses when a developer's shell carries them are switched off.
        metrics_dir = tempfile.mkdtemp(prefix="bench-prometheus-")
        env = {**PRODUCTION_ENV, "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
        env.update(OTP_TEST_CODE="", WEBHOOK_ALLOW_PRIVATE_URLS="false")
        with GunicornServer(application_name="bench-pay-web", workers=args.workers, env=env) as server:
            # First what the same server answers when a request does nothing but pass the web
            # tier (the middleware, the token's user read, the throttles): no payment is faster.
            ceiling_latencies, ceiling_statuses, ceiling_elapsed = _drive(
                server.port, token, [None] * args.procs, args.seconds
            )
            chunks = [ids[i :: args.procs] for i in range(args.procs)]
            latencies, statuses, elapsed = _drive(server.port, token, chunks, args.seconds)
            log_tail = server.log_tail()
        if set(ceiling_statuses) != {200}:
            print(log_tail)
            raise SystemExit(f"GET /auth/me answered {ceiling_statuses}")
        ok = statuses.get(201, 0)
        booked = Repayment.objects.count()
        drift = find_drift()
        if ok != len(latencies) or booked != ok or drift:
            print(log_tail)
            raise SystemExit(f"answers {statuses}, repayments booked {booked}, ledger drift {len(drift)}")
    ceiling = len(ceiling_latencies) / ceiling_elapsed
    report(
        f"Web tier's ceiling: GET /auth/me through gunicorn ({args.procs} HTTP clients, {args.workers} workers)",
        ceiling,
        "requests/s",
        baseline,
        f"pgbench tpcb-like tps ({args.procs} clients)",
    )
    report(
        f"API repayments through gunicorn ({args.procs} HTTP clients, {args.workers} workers)",
        ok / elapsed,
        "payments/s",
        baseline,
        f"pgbench tpcb-like tps ({args.procs} clients)",
        target="≥ 15 % of pgbench",
        met=ok / elapsed >= 0.15 * baseline,
    )
    print(
        f"{ok} payments answered 201 in {elapsed:.1f}s; latency p50 {_percentile(latencies, 0.5) * 1000:.1f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms; ledger drift 0; host {urlparse(url).hostname}; "
        f"GET /auth/me p50 {_percentile(ceiling_latencies, 0.5) * 1000:.1f} ms, "
        f"{ok / elapsed / ceiling:.0%} of the ceiling"
    )


if __name__ == "__main__":
    main()
