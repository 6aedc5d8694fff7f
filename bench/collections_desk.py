"""The collections desk on a big book: the close of business with its case sync (the outbox's
business_day.closed handler opening, refreshing and assigning cases set-based), then the pages a
collector and management open every morning, each timed next to a baseline of the same run.

    python bench/collections_desk.py --loans 1000000 --unpaid-every 10 --collectors 400

One loan in `--unpaid-every` has its first installment unpaid, so at a million loans and 10 the
first night opens 100,000 cases and assigns them round-robin among the collectors. Baselines:
one plain UPDATE of every loan row (the night) and the median latency of one pgbench tpcb-like
transaction (the pages).
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import check, median_ms, pgbench_tps, report, scratch_database, setup_django, unthrottle

DAY = datetime.date(2027, 6, 15)


def _collectors(count: int) -> None:
    """COLLECTOR staff, set-based (the measured one is made through the service)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
                   is_staff, is_active, date_joined, role, phone, is_frozen, frozen_reason, token_version)
               SELECT gen_random_uuid(), '!', false, 'bench-collector-' || g, '', '', '', true, true, now(),
                   'COLLECTOR', NULL, false, '', 0
               FROM generate_series(1, %s) g""",
            [count],
        )


def _night(day):
    from apps.core.outbox import events_dispatch
    from apps.repayments.close_of_business import close_of_business

    began = time.perf_counter()
    counts = close_of_business(day)
    closed = time.perf_counter() - began
    events_dispatch()
    return counts, closed, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--unpaid-every", type=int, default=10)
    parser.add_argument("--collectors", type=int, default=400)
    parser.add_argument("--seconds", type=int, default=10, help="length of the pgbench baseline")
    args = parser.parse_args()
    import os

    os.environ["OUTBOX_NOTIFY"] = "false"  # the bench dispatches in-process, as the worker would
    with scratch_database("collections") as url:
        setup_django(url)
        unthrottle()
        from django.contrib.auth.models import Group
        from django.db import connection, transaction
        from django.test import Client
        from rest_framework.test import APIClient

        from apps.accounts.services import user_create_staff
        from apps.accounts.tokens import tokens_for_user
        from apps.collections.models import CollectionCase
        from apps.core.business_date import business_date_set
        from apps.ledger.balances import find_drift
        from bench.seed_book import seed_book

        began = time.perf_counter()
        with transaction.atomic():
            seed_book(args.loans, day=DAY, unpaid_every=args.unpaid_every)
        print(f"seeded {args.loans:,} loans x 12 installments in {time.perf_counter() - began:.1f}s", flush=True)
        collector = user_create_staff(username="bench-collector", password="Bench-collector-pass-1", role="COLLECTOR")
        collector.groups.add(Group.objects.get(name="COLLECTOR"))
        _collectors(args.collectors - 1)
        business_date_set(date=DAY)

        with connection.cursor() as cursor:
            began = time.perf_counter()
            with transaction.atomic():
                cursor.execute("UPDATE loans_loan SET dpd = dpd")
                touched = cursor.rowcount
            baseline = time.perf_counter() - began
            cursor.execute("VACUUM ANALYZE loans_loan")

        counts, closed, first_night = _night(DAY)
        opened = CollectionCase.objects.count()
        print(f"night 1: close of business {closed:.1f}s, with the case sync {first_night:.1f}s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        business_date_set(date=DAY + datetime.timedelta(days=1))
        _, _, second_night = _night(DAY + datetime.timedelta(days=1))
        print(f"night 2: {second_night:.1f}s", flush=True)
        mine = CollectionCase.objects.filter(assigned_to=collector).count()
        unassigned = CollectionCase.objects.filter(assigned_to__isnull=True).count()

        web = Client()
        web.force_login(collector)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(collector)['access']}")

        def worklist():
            assert web.get("/admin/collections/collectioncase/").status_code == 200

        def api_cases():
            assert api.get("/api/v1/collections/cases").status_code == 200

        officer = user_create_staff(username="bench-officer", password="Bench-officer-pass-1", role="OFFICER")
        staff = APIClient()
        staff.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(officer)['access']}")

        def aging():
            assert staff.get("/api/v1/reports/aging").status_code == 200

        pages = [
            ("collector worklist (admin)", median_ms(worklist)),
            ("collector cases (API)", median_ms(api_cases)),
            ("aging report (API)", median_ms(aging)),
        ]
        day2 = (DAY + datetime.timedelta(days=1)).isoformat()
        began = time.perf_counter()
        computed = staff.get(f"/api/v1/reports/daily?business_date={day2}&force_refresh=true")
        metrics_seconds = time.perf_counter() - began
        assert computed.status_code == 200, computed.content
        print(f"daily metrics for {day2}: computed and stored in {metrics_seconds:.2f}s", flush=True)
        drift = find_drift()
        tps = pgbench_tps(clients=1, seconds=args.seconds)

    print(f"night 1 counts: {counts}")
    print(f"plain UPDATE touched {touched:,} rows; cases opened {opened:,}; the measured collector holds {mine}")
    print(f"cases left unassigned (every collector full): {unassigned:,}")
    five_times = {"target": "≤ 5x the plain UPDATE"}
    report(f"close of business + case sync ({args.loans:,} loans)", first_night, "s", baseline, "plain UPDATE (s)",
           **five_times, met=first_night <= 5 * baseline)  # fmt: skip
    report("night 2 (cases refreshed)", second_night, "s", baseline, "plain UPDATE (s)",
           **five_times, met=second_night <= 5 * baseline)  # fmt: skip
    baseline_ms = 1000 / tps
    print(f"baseline: one pgbench tpcb-like transaction, 1 client: {baseline_ms:.2f} ms ({tps:,.0f} tps)")
    for name, ms in pages:
        check(name, f"{ms:.1f} ms", target="median < 300 ms", met=ms < 300, ratio=f"{ms / baseline_ms:.1f}x pgbench tx")
    check("daily metrics for a date, computed", f"{metrics_seconds:.2f} s", target="< 2 s", met=metrics_seconds < 2)
    print(f"ledger drift {len(drift)}")


if __name__ == "__main__":
    main()
