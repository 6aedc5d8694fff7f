"""The loan changelist of the admin on a big book: median response time of the real admin view
(unfiltered, filtered by classification, searched by loan id) next to the time of the SQL the
page needs, in the same run. Called by close_of_business.py on its seeded book (one seeding
for both benches); `measure()` is the entry point.
"""

import time


def measure() -> list[tuple[str, float, float]]:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from apps.accounts.services import user_create_staff
    from apps.loans.models import Loan
    from bench.common import median_ms

    officer = user_create_staff(username="bench-admin-officer", password="Bench-officer-pass-1", role="OFFICER")
    officer.groups.add(Group.objects.get(name="OFFICER"))
    client = Client()
    client.force_login(officer)
    some_id = Loan.objects.order_by("created_at").values_list("id", flat=True).first()
    cases = [
        ("unfiltered", "/admin/loans/loan/", Loan.objects.select_related("business").order_by("-created_at", "-pk")),
        (
            "classification=NPA",
            "/admin/loans/loan/?asset_classification__exact=NPA",
            Loan.objects.filter(asset_classification="NPA").select_related("business").order_by("-created_at", "-pk"),
        ),
        (
            "search by loan id",
            f"/admin/loans/loan/?q={some_id}",
            Loan.objects.filter(pk=some_id).select_related("business").order_by("-created_at", "-pk"),
        ),
    ]
    results = []
    for name, url, queryset in cases:

        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        def sql(queryset=queryset):
            with connection.cursor():
                list(queryset[:50])

        results.append((name, median_ms(page), median_ms(sql)))
    return results


# ---- The ops console on a kept bench book: the dashboard and every worklist ---------------
#
#     python bench/admin_changelist.py --db bench_admin --loans 1000000
#
# Seeds the database `--db` once (seed_book, then one close of business so the book has
# overdue, SMA and NPA loans) and keeps it: later runs only migrate it and measure. Each page's
# median is printed next to the median latency of one pgbench tpcb-like transaction (one
# client) on the same server in the same run, as a ratio.

DAY = None  # set in main(): the bench book's business date

# The book-wide summaries (issue 20: under a second at a million loans; the metrics job, under two).
SUMMARY_TARGET_MS = 1000
SUMMARIES = [
    ("portfolio summary (API)", "/api/v1/admin/portfolio/summary"),
    ("ledger summary (API)", "/api/v1/admin/ledger/summary"),
    ("aging report (API)", "/api/v1/reports/aging"),
]

PAGES = [
    ("dashboard", "/admin/"),
    ("worklist: KYC to review", "/admin/kyc/kycreviewitem/"),
    ("worklist: applications under review", "/admin/loans/loanapplication/"),
    ("worklist: payouts pending or failed", "/admin/loans/payoutworkitem/"),
    ("worklist: payouts, FAILED only", "/admin/loans/payoutworkitem/?payout_status=FAILED"),
    ("worklist: installments due this week", "/admin/loans/dueinstallment/"),
    ("worklist: installments due today", "/admin/loans/dueinstallment/?due=today"),
    ("worklist: overdue loans", "/admin/loans/overdueloan/"),
    ("worklist: overdue loans, NPA", "/admin/loans/overdueloan/?asset_classification=NPA"),
    ("worklist: overdue loans, SMA-0", "/admin/loans/overdueloan/?asset_classification=SMA_0"),
    ("loan changelist, unfiltered", "/admin/loans/loan/"),
]


def _work_for_the_worklists(cursor, day) -> None:
    """Rows for the worklists a seeded book lacks, set-based and once: 1 business in 500 in
    KYC MANUAL_REVIEW; 1,000 VERIFIED invoices with an application held UNDER_REVIEW;
    1 loan in 1,000 with its payout PENDING (SANCTIONED) and 1 in 2,000 FAILED (CANCELLED)."""
    # The held invoices mark a book that already has its work: on a small book no business may
    # fall in the 1-in-500 KYC sample, so the KYC status cannot be the marker.
    cursor.execute("SELECT EXISTS (SELECT 1 FROM invoices_invoice WHERE invoice_number LIKE 'REV%')")
    if cursor.fetchone()[0]:
        return
    cursor.execute("SET session_replication_role = replica")
    cursor.execute(
        "UPDATE kyc_business SET kyc_status = 'MANUAL_REVIEW', kyc_reason = 'name mismatch' "
        "WHERE ('x' || right(id::text, 8))::bit(32)::int % 500 = 0"
    )
    cursor.execute(
        """INSERT INTO invoices_invoice (id, created_at, updated_at, business_id, seller_gstin, invoice_number,
               financial_year, invoice_date, due_date, buyer_gstin, buyer_name, amount, status,
               verification_reference, status_reason)
           SELECT ('7' || lpad(to_hex(g), 31, '0'))::uuid, now(), now(), b.id, b.gstin, 'REV' || g, '2027-28',
               %(day)s::date - 10, %(day)s::date + 80, '29AAACR5055K1Z3', 'Buyer', 3000000, 'VERIFIED', 'SBX', ''
           FROM generate_series(1, 1000) g
           JOIN LATERAL (SELECT id, gstin FROM kyc_business ORDER BY id OFFSET g LIMIT 1) b ON true""",
        {"day": day},
    )
    cursor.execute(
        """INSERT INTO loans_loanapplication (id, created_at, updated_at, business_id, invoice_id, product_id,
               requested_amount, tenure_months, status, decision, reasons, submitted_at, decision_reason)
           SELECT gen_random_uuid(), now(), now(), i.business_id, i.id, p.id, 2400000, p.tenure_months,
               'UNDER_REVIEW', 'REVIEW', '["amount 2400000.00 above the automatic limit 2000000"]', now(), ''
           FROM invoices_invoice i CROSS JOIN (SELECT * FROM loans_loanproduct ORDER BY code LIMIT 1) p
           WHERE i.invoice_number LIKE 'REV%'"""
    )
    cursor.execute(
        "UPDATE loans_loan SET status = 'SANCTIONED', payout_status = 'PENDING', disbursed_on = NULL "
        "WHERE ('x' || right(id::text, 8))::bit(32)::int % 1000 = 7"
    )
    cursor.execute(
        "UPDATE loans_loan SET status = 'CANCELLED', payout_status = 'FAILED', disbursed_on = NULL "
        "WHERE ('x' || right(id::text, 8))::bit(32)::int % 2000 = 11"
    )
    cursor.execute("SET session_replication_role = origin")


def _database_ready(name: str, *, fresh: bool) -> str:
    import os
    import subprocess
    import sys as _sys

    import psycopg

    from bench.common import ROOT, admin_sql, base_url, with_database

    if fresh:  # the smoke run starts from nothing every time, so a half-built book never stays
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    try:
        admin_sql(f'CREATE DATABASE "{name}"')
        fresh = True
    except psycopg.errors.DuplicateDatabase:  # kept from an earlier run
        fresh = False
    url = with_database(base_url(), name)
    began = time.perf_counter()
    subprocess.run(
        [_sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"],
        check=True,
        env={**os.environ, "DATABASE_URL": url},
    )
    print(f"database {name} ({'created' if fresh else 'kept'}), migrated in {time.perf_counter() - began:.1f}s")
    return url


def main() -> None:
    import argparse
    import datetime
    import sys as _sys
    from pathlib import Path

    _sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.common import check, median_ms, pgbench_tps, setup_django

    global DAY
    DAY = datetime.date(2027, 6, 15)
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="bench_admin")
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="length of the pgbench baseline")
    parser.add_argument("--fresh", action="store_true", help="drop the database first and seed it again")
    args = parser.parse_args()
    url = _database_ready(args.db, fresh=args.fresh)
    setup_django(url)
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.test import Client

    from apps.accounts.models import User
    from apps.accounts.services import user_create_staff
    from apps.core.business_date import business_date_set
    from apps.loans.models import Loan
    from apps.repayments.close_of_business import close_of_business

    if not Loan.objects.exists():
        from bench.seed_book import seed_book

        began = time.perf_counter()
        with transaction.atomic():
            seed_book(args.loans, day=DAY)
        print(f"seeded {args.loans:,} loans x 12 installments in {time.perf_counter() - began:.1f}s", flush=True)
        business_date_set(date=DAY)
        began = time.perf_counter()
        close_of_business(DAY)
        print(f"close of business in {time.perf_counter() - began:.1f}s", flush=True)
    with connection.cursor() as cursor:
        with transaction.atomic():
            _work_for_the_worklists(cursor, DAY)
        cursor.execute("VACUUM ANALYZE")
    # The dashboard reads the day's DailyMetrics row, written once a day after the close of
    # business by the daily_metrics job: its time is the price of a fast page.
    from apps.core.jobs_runner import run_job

    began = time.perf_counter()
    run = run_job("daily_metrics", business_date=DAY)
    metrics_seconds = time.perf_counter() - began
    print(f"daily_metrics job for {DAY}: {run.status} in {metrics_seconds:.1f}s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM loans_loan")
        (loan_rows,) = cursor.fetchone()
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'loans_installment'")
        (installment_rows,) = cursor.fetchone()

    officer = User.objects.filter(username="bench-admin-officer").first() or user_create_staff(
        username="bench-admin-officer", password="Bench-officer-pass-1", role="OFFICER"
    )
    officer.groups.add(Group.objects.get(name="OFFICER"))
    client = Client()
    client.force_login(officer)

    def get_ms(client, url):
        """The median time of one GET of `url` by `client`, which must answer 200."""

        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return median_ms(fetch)

    results = [(name, url, get_ms(client, url)) for name, url in PAGES]
    # The book-wide summaries over the API, as an ADMIN: each under SUMMARY_TARGET_MS.
    from rest_framework.test import APIClient

    admin = User.objects.filter(username="bench-admin-admin").first() or user_create_staff(
        username="bench-admin-admin", password="Bench-admin-pass-1", role="ADMIN"
    )
    api = APIClient()
    api.force_authenticate(admin)

    summaries = [(name, url, get_ms(api, url)) for name, url in SUMMARIES]
    tps = pgbench_tps(clients=1, seconds=args.seconds)
    baseline_ms = 1000 / tps
    print(f"book: {loan_rows:,} loans, ~{installment_rows:,} installments, business date {DAY}")
    print(f"baseline: one pgbench tpcb-like transaction, 1 client: {baseline_ms:.2f} ms ({tps:,.0f} tps)")
    for (name, url, ms), target_ms in [
        *((row, 300) for row in results),
        *((row, SUMMARY_TARGET_MS) for row in summaries),
    ]:
        ratio = f"{ms / baseline_ms:.1f}x pgbench tx"
        check(name, f"{ms:.1f} ms", target=f"median < {target_ms:,} ms", met=ms < target_ms, ratio=ratio, detail=url)
    check("daily metrics job (one date)", f"{metrics_seconds:.2f} s", target="< 2 s", met=metrics_seconds < 2)


if __name__ == "__main__":
    main()
