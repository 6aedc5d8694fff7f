"""The day's figures (DailyMetrics), the dashboard that reads them, and its rupee charts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.business_date import get_business_date
from apps.core.jobs_runner import run_job
from apps.reports.charts import bar_chart, nice_ceiling
from apps.reports.dashboard import dashboard_context
from apps.reports.models import DailyMetrics
from apps.reports.services import daily_metrics_compute
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


def test_the_day_is_computed_from_the_book_and_the_ledger(borrower):
    first = make_loan(borrower, amount="100000.00")
    second = make_loan(amount="250000.00")
    day = get_business_date()
    metrics = daily_metrics_compute(business_date=day)
    aum = first.principal + second.principal
    assert aum == Decimal("262500.00")  # 75% of each invoice, unsecured
    assert metrics.aum == aum
    assert metrics.live_loans == 2
    assert metrics.npa_amount == Decimal("0.00")
    assert metrics.by_classification["STANDARD"] == {"count": 2, "amount": "262500.00"}
    assert metrics.by_dpd_bucket["0"] == {"count": 2, "amount": "262500.00"}
    # Disbursed is the principal booked out today (the ledger's loan-principal debits).
    assert metrics.disbursed == Decimal("262500.00")
    assert metrics.collected == Decimal("0.00")
    # Running again replaces the day's row; it never adds a second one.
    daily_metrics_compute(business_date=day)
    assert DailyMetrics.objects.filter(business_date=day).count() == 1


def test_the_job_writes_the_row(borrower):
    make_loan(borrower, amount="100000.00")
    day = get_business_date()
    run = run_job("daily_metrics", business_date=day, triggered_by="test")
    assert run.status == "SUCCEEDED", run.error
    # No day closed yet: the classification and case figures of the day are named missing.
    assert run.counts == {"live_loans": 1, "missing_metrics": 5}
    assert DailyMetrics.objects.get(business_date=day).aum == Decimal("75000.00")


def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_the_book(borrower):
    for _ in range(3):
        make_loan(amount="100000.00")
    daily_metrics_compute(business_date=get_business_date())
    with CaptureQueriesContext(connection) as few:
        dashboard_context()
    for _ in range(3):
        make_loan(amount="100000.00")
    daily_metrics_compute(business_date=get_business_date())
    with CaptureQueriesContext(connection) as more:
        context = dashboard_context()
    assert len(more) == len(few) <= 8
    assert context["metrics"].live_loans == 6


def test_the_dashboard_shows_rupees_in_indian_form_and_charts_with_values(admin_web, borrower):
    loan = make_loan(borrower, amount="452771.75")
    assert loan.principal == Decimal("339578.81")
    daily_metrics_compute(business_date=get_business_date())
    page = admin_web.get("/admin/").content.decode()
    assert ">₹3.40 L</b>" in page  # the AUM tile
    assert 'title="₹3,39,578.81"' in page  # the exact figure on hover
    for title in (
        "Outstanding by classification",
        "Outstanding by days past due",
        "Disbursed per day, last 30 days",
        "Collected per day, last 30 days",
    ):
        assert f'aria-label="{title}"' in page
    assert "Standard" in page and "SMA-0" in page


def test_before_the_first_run_the_dashboard_says_so(admin_web):
    page = admin_web.get("/admin/").content.decode()
    assert "No daily figures yet" in page


def test_a_chart_has_a_rupee_axis_and_labelled_bars():
    svg = bar_chart([("Standard", Decimal("340000")), ("NPA", Decimal("60000"))], title="Mix")
    assert ">₹5.00 L</text>" in svg  # the axis tops out at a round figure above the largest bar
    assert ">₹0</text>" in svg
    assert ">₹3.40 L</text>" in svg and ">₹60,000</text>" in svg  # each bar's value
    assert "<title>NPA: ₹60,000.00</title>" in svg
    assert "<script" not in bar_chart([("<script>", Decimal(1))], title="x")


@pytest.mark.parametrize(
    "largest, top",
    [
        (Decimal(0), Decimal(1000)),
        (Decimal(1001), Decimal(2000)),
        (Decimal(340000), Decimal(500000)),
        (Decimal(2100000), Decimal(2500000)),
        (Decimal(10000000), Decimal(10000000)),
    ],
)
def test_the_axis_top_is_a_round_figure(largest, top):
    assert nice_ceiling(largest) == top


def test_trends_cover_thirty_days_with_gaps_as_zero(borrower):
    make_loan(borrower, amount="100000.00")
    today = get_business_date()
    daily_metrics_compute(business_date=today)
    DailyMetrics.objects.create(
        **{**_row(DailyMetrics.objects.get(business_date=today)), "business_date": today - datetime.timedelta(days=3)}
    )
    context = dashboard_context()
    disbursed = context["charts"][2]["svg"]
    assert disbursed.count("<rect") == 30
    assert disbursed.count('class="value"') == 2  # two days with disbursals, each labelled
    assert disbursed.count(">₹75,000</text>") == 3  # ... and the axis line at ₹75,000


def _row(metrics) -> dict:
    return {f.name: getattr(metrics, f.name) for f in DailyMetrics._meta.fields if f.name != "computed_at"}
