"""The close of business in parts over worker processes (apps/repayments/close_of_business.py),
on a synthetic book of N loans x 12 installments, next to one plain UPDATE of every loan row in
the same run on the same server.

The book is seeded once; each configuration runs on its own copy of it (CREATE DATABASE ...
TEMPLATE), so every run closes the same night of the same book:
- the whole book in one process (COB_PARTS=1, what runs when nothing is configured);
- P parts, the job's process alone (what partitioning costs);
- P parts, the job's process and W-1 Celery worker processes helping.

    python bench/close_of_business_parts.py [--loans 1000000] [--parts 8] [--workers 2] [--quick]

--quick (the smoke run of `make test`): only the last configuration, on the seeded book itself.
"""

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, admin_sql, report, scratch_database, setup_django, with_database

DAY = datetime.date(2027, 6, 15)


def _seed(url: str, loans: int) -> None:
    subprocess.run([sys.executable, __file__, "--seed", url, "--loans", str(loans)], check=True)


def _copy(template_url: str, name: str) -> str:
    template = template_url.rsplit("/", 1)[1]
    admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return with_database(template_url, name)


def _run(url: str, *args: str) -> dict:
    """One configuration in its own process (its own Django, pointed at its copy)."""
    done = subprocess.run(
        [sys.executable, __file__, "--run", url, *args], stdout=subprocess.PIPE, text=True, check=False
    )  # its stderr (a traceback, the workers' logs) goes straight to ours
    if done.returncode:
        print(done.stdout, flush=True)
        raise SystemExit(f"the run {' '.join(args)} failed (exit {done.returncode})")
    out = done.stdout
    result = {}
    for line in out.splitlines():
        if line.startswith("RESULT "):
            key, _, value = line[7:].partition("=")
            result[key] = value
        else:
            print(line, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        return seed_only(args.seed, args.loans)
    if args.run:
        return run_only(args.run, args.mode, args.parts, args.workers)

    with scratch_database("cobparts") as url:
        started = time.perf_counter()
        _seed(url, args.loans)
        print(f"seeded {args.loans:,} loans x 12 installments in {time.perf_counter() - started:.1f}s", flush=True)
        if args.quick:
            baseline = float(_run(url, "--mode", "update")["seconds"])
            result = _run(url, "--mode", "close", "--parts", str(args.parts), "--workers", str(args.workers))
            label = f"{args.parts} parts, {args.workers} processes"
            print(f"{label}: parts done by process: {result['by_worker']}")
            seconds = float(result["seconds"])
            report(f"close of business ({args.loans:,} loans), {label}", seconds, "s", baseline, "plain UPDATE (s)",
                   target="≤ 5x the plain UPDATE", met=seconds <= 5 * baseline)  # fmt: skip
            return
        base = url.rsplit("/", 1)[1]
        copies = []
        try:
            copies.append(f"{base}_u")
            baseline = float(_run(_copy(url, copies[-1]), "--mode", "update")["seconds"])
            runs = [("whole book, 1 process", 1, 1), (f"{args.parts} parts, 1 process", args.parts, 1)]
            runs.append((f"{args.parts} parts, {args.workers} processes", args.parts, args.workers))
            results = []
            for n, (label, parts, workers) in enumerate(runs):
                copies.append(f"{base}_{n}")
                result = _run(
                    _copy(url, copies[-1]), "--mode", "close", "--parts", str(parts), "--workers", str(workers)
                )
                results.append((label, float(result["seconds"]), result))
        finally:
            for name in copies:
                admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"plain UPDATE of every loan row: {baseline:.1f}s")
    for label, seconds, result in results:
        print(f"{label}: {seconds:.1f}s, parts done by process: {result['by_worker']}, counts {result['counts']}")
        report(f"close of business ({args.loans:,} loans), {label}", seconds, "s", baseline, "plain UPDATE (s)",
               target="≤ 5x the plain UPDATE", met=seconds <= 5 * baseline)  # fmt: skip
    whole, alone, helped = (seconds for _, seconds, _ in results)
    print(f"speed-up of {args.workers} processes over 1 on the same parts: {alone / helped:.2f}x; "
          f"over the whole book in one process: {whole / helped:.2f}x")  # fmt: skip
    if not all(result["counts"] == results[0][2]["counts"] for _, _, result in results):
        raise SystemExit("the runs did not do the same work")


def seed_only(url: str, loans: int) -> None:
    setup_django(url)
    from django.db import transaction

    from apps.core.business_date import business_date_set
    from bench.seed_book import seed_book

    with transaction.atomic():
        seed_book(loans, day=DAY)
    business_date_set(date=DAY)


def run_only(url: str, mode: str, parts: int, workers: int) -> None:
    setup_django(url)
    from django.db import connection, transaction

    if mode == "update":
        with connection.cursor() as cursor:
            began = time.perf_counter()
            with transaction.atomic():
                cursor.execute("UPDATE loans_loan SET dpd = dpd")
            print(f"RESULT seconds={time.perf_counter() - began:.3f}")
        return

    from apps.ledger.balances import find_drift
    from apps.repayments.close_of_business import close_of_business
    from apps.repayments.models import CloseOfBusinessPart
    from config.celery import app

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE loans_loan")
    helpers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "WARNING",
                "--hostname",
                f"cob-helper-{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
        )
        for n in range(workers - 1)
    ]
    try:
        _wait_for(app, len(helpers))
        cpu_before = _cpu_seconds()
        began = time.perf_counter()
        counts = close_of_business(DAY, parts=parts)
        seconds = time.perf_counter() - began
        cpu = {name: after - cpu_before.get(name, 0.0) for name, after in _cpu_seconds().items()}
        print(
            f"CPU during the run ({seconds:.1f}s wall, 2 cores): PostgreSQL {cpu.get('postgres', 0):.1f}s, "
            f"Python (job and helpers) {cpu.get('python', 0):.1f}s"
        )
    finally:
        # Killed, not stopped: once the day is closed a helper may be busy with what the night's
        # events start (the outbox's handlers), which a warm shutdown would wait for.
        for helper in helpers:
            helper.kill()
            helper.wait(30)
    by_worker = {}
    for worker in CloseOfBusinessPart.objects.values_list("worker", flat=True):
        process = worker.rsplit(":", 1)[0]  # host:pid
        by_worker[process] = by_worker.get(process, 0) + 1
    drift = find_drift()
    if drift:
        raise SystemExit(f"ledger drift after the run: {drift[:3]}")
    print(f"RESULT seconds={seconds:.3f}")
    print(f"RESULT counts={dict(sorted(counts.items()))}")
    print(f"RESULT by_worker={by_worker or {'(no parts table)': 1}}")


def _cpu_seconds() -> dict[str, float]:
    """CPU time so far of every PostgreSQL and Python process on this machine (Linux /proc):
    where a night's work is done. A process that ends in between is not counted."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, _, rest = (entry / "stat").read_text().rpartition(")")
        except OSError:
            continue
        name = head.split("(", 1)[1]
        kind = "postgres" if name.startswith("postgres") else None
        kind = kind or ("python" if name.startswith(("python", "celery")) else None)
        if kind:
            fields = rest.split()
            totals[kind] = totals.get(kind, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return totals


def _wait_for(app, helpers: int) -> None:
    """Until the helper workers answer a ping (a worker that is late only does fewer parts)."""
    deadline = time.monotonic() + 60
    while helpers and time.monotonic() < deadline:
        try:
            if len(app.control.ping(timeout=1.0)) >= helpers:
                return
        except Exception:  # noqa: BLE001 - a broker without broadcast (the filesystem one): give them time
            time.sleep(5)
            return
        time.sleep(0.5)


if __name__ == "__main__":
    main()
