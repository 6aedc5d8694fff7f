"""The daily MIS and the aging report, checked against a book built here with known answers:
two loans whose first EMI falls due on the same day; one pays it, the other bounces and falls
into SMA-0, where the close of business opens its collection case."""

import datetime
from decimal import Decimal

import pytest
from constance.test import override_config

from apps.collections.models import CollectionCase
from apps.core.outbox import events_dispatch
from apps.repayments.services import emi_bounce, emi_pay
from apps.reports.models import DailyMetrics
from apps.reports.services import daily_metrics_compute
from tests.support.days import close_day, set_day
from tests.support.lending import make_loan
from tests.support.users import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(borrower, officer):
    payer, bouncer = make_loan(borrower), make_loan(borrower)
    due_day = payer.installments.get(number=1).due_date
    assert bouncer.installments.get(number=1).due_date == due_day
    set_day(due_day)
    paid = payer.installments.get(number=1)
    emi_pay(installment_id=paid.pk, actor=borrower)
    bounced = bouncer.installments.get(number=1)
    emi_bounce(installment_id=bounced.pk, code="01", actor=officer)
    for day in (due_day, due_day + datetime.timedelta(days=1)):
        close_day(day)
        events_dispatch()  # what the worker does after each night
    paid.refresh_from_db()
    bounced.refresh_from_db()
    bouncer.refresh_from_db()
    return {"due_day": due_day, "paid": paid, "bounced": bounced, "bouncer": bouncer, "payer": payer}


def test_the_due_day_figures_are_the_known_ones(book):
    paid, bounced = book["paid"], book["bounced"]
    metrics = daily_metrics_compute(business_date=book["due_day"])
    due = paid.amount_due + bounced.amount_due
    assert metrics.metrics["collections_due"] == f"{due:.2f}"
    assert metrics.metrics["collections_received"] == f"{paid.amount_due:.2f}"
    assert metrics.metrics["collection_efficiency"] == f"{(paid.amount_due / due).quantize(Decimal('0.0001'))}"
    assert metrics.metrics["bounces"] == 1
    assert metrics.metrics["new_sma"] == 0 and metrics.metrics["cases_opened"] == 0
    assert (metrics.metrics["disbursed_count"], metrics.metrics["disbursed_amount"]) == (0, "0.00")
    # A past date: the book's snapshot figures are not guessed.
    assert metrics.missing_metrics == ["npa_amount", "par_30", "par_90"]
    assert metrics.metrics["npa_amount"] is None
    assert set(metrics.metrics) == set(metrics.sources)


def test_the_day_after_counts_the_new_sma_loan_and_its_case(book):
    day = book["due_day"] + datetime.timedelta(days=1)
    metrics = daily_metrics_compute(business_date=day)
    assert metrics.missing_metrics == []
    m = metrics.metrics
    assert (m["new_sma"], m["new_npa"], m["cases_opened"], m["cases_closed"]) == (1, 0, 1, 0)
    assert (m["npa_amount"], m["par_30"], m["par_90"]) == ("0.00", "0.0000", "0.0000")
    assert m["collections_due"] == "0.00" and m["collection_efficiency"] is None
    assert any("collection_efficiency does not apply" in note for note in metrics.notes)


def test_a_day_not_yet_closed_names_what_it_cannot_know(book):
    later = book["due_day"] + datetime.timedelta(days=5)
    metrics = daily_metrics_compute(business_date=later)
    assert {"new_sma", "new_npa", "cases_opened", "cases_closed", "ptp_broken"} <= set(metrics.missing_metrics)
    assert metrics.metrics["new_sma"] is None


def test_the_api_stores_once_refreshes_on_demand_and_guards_who_may(book, borrower, officer, admin_user):
    day = (book["due_day"] + datetime.timedelta(days=1)).isoformat()
    staff, admin = client_for(officer), client_for(admin_user)
    missing = staff.get("/api/v1/reports/daily")
    assert missing.status_code == 400 and "business_date" in missing.json()["errors"]
    assert staff.get("/api/v1/reports/daily?business_date=31-12-2026").status_code == 400
    assert client_for(borrower).get(f"/api/v1/reports/daily?business_date={day}").status_code == 403
    first = staff.get(f"/api/v1/reports/daily?business_date={day}")
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["business_date"] == day and body["metrics"]["cases_opened"] == 1 and body["missing_metrics"] == []
    again = staff.get(f"/api/v1/reports/daily?business_date={day}").json()
    assert again["generated_at"] == body["generated_at"]  # stored, not recomputed
    forced = staff.get(f"/api/v1/reports/daily?business_date={day}&force_refresh=true").json()
    assert forced["generated_at"] > body["generated_at"]
    assert staff.post("/api/v1/reports/daily/refresh", {"business_date": day}, format="json").status_code == 403
    refreshed = admin.post("/api/v1/reports/daily/refresh", {"business_date": day}, format="json")
    assert refreshed.status_code == 200 and refreshed.json()["missing_metrics"] == []
    assert DailyMetrics.objects.filter(business_date=day).count() == 1


def test_the_aging_report_by_bucket(book, officer, borrower):
    bounced, bouncer = book["bounced"], book["bouncer"]
    response = client_for(officer).get("/api/v1/reports/aging")
    assert response.status_code == 200, response.content
    body = response.json()
    sma0 = next(row for row in body["buckets"] if row["bucket"] == "SMA_0")
    assert sma0 == {
        "bucket": "SMA_0",
        "loans": 1,
        "amount_overdue": f"{bounced.owed:.2f}",
        "principal_outstanding": f"{bouncer.outstanding_principal:.2f}",
        "cases": {"OPEN": 1},
    }
    assert [row["bucket"] for row in body["buckets"]] == ["SMA_0", "SMA_1", "SMA_2", "NPA"]
    assert body["totals"]["loans"] == 1 and body["totals"]["cases"] == {"OPEN": 1}
    assert client_for(borrower).get("/api/v1/reports/aging").status_code == 403


def test_the_lending_day_counts_applications_acceptances_and_disbursals(borrower):
    from apps.core.business_date import calendar_today

    today = calendar_today()
    set_day(today)  # the business date is the calendar's: invoices are counted by their India date
    loans = [make_loan(borrower), make_loan(borrower)]
    m = daily_metrics_compute(business_date=today).metrics
    assert (m["applications"], m["offers_accepted"], m["disbursed_count"]) == (2, 2, 2)
    assert m["disbursed_amount"] == f"{sum(loan.disbursed_amount for loan in loans):.2f}"


def test_the_console_shows_thirty_days_as_trends_and_exports_them(book, officer_web):
    from apps.core.business_date import last_closed_day

    for day in (book["due_day"], last_closed_day()):
        daily_metrics_compute(business_date=day)
    page = officer_web.get("/admin/mis/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Collection efficiency" in html and html.count("<svg") >= 6 and "28 of the 30 days" in html
    csv_text = officer_web.get("/admin/mis/?format=csv").content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("business_date,applications,offers_accepted") and len(lines) == 31
    due_line = next(line for line in lines if line.startswith(book["due_day"].isoformat()))
    assert ",1," in due_line  # the day's one bounce


def test_the_aging_report_follows_a_payment_made_after_the_close(book, officer, borrower):
    """The report reads the open cases, which payments keep current (the outbox's handler)."""
    from apps.repayments.services import emi_pay

    bounced, bouncer = book["bounced"], book["bouncer"]
    emi_pay(installment_id=bounced.pk, amount=Decimal("1000.00"), actor=borrower)
    events_dispatch()
    bouncer.refresh_from_db()
    sma0 = next(
        row for row in client_for(officer).get("/api/v1/reports/aging").json()["buckets"] if row["bucket"] == "SMA_0"
    )
    assert sma0["amount_overdue"] == f"{bounced.owed - Decimal('1000.00'):.2f}"
    assert sma0["principal_outstanding"] == f"{bouncer.outstanding_principal:.2f}"
    assert sma0["loans"] == 1 and sma0["cases"] == {"OPEN": 1}


@override_config(COLLECTIONS_OPEN_DPD=10)
def test_a_loan_overdue_below_the_opening_dpd_is_in_the_aging_without_a_case(borrower, officer):
    """COLLECTIONS_OPEN_DPD 10: a loan 2 days past due has no case yet, and still counts."""
    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    for day in (first.due_date, first.due_date + datetime.timedelta(days=1)):
        close_day(day)
        events_dispatch()
    loan.refresh_from_db()
    first.refresh_from_db()
    assert loan.dpd == 1 and not CollectionCase.objects.filter(loan=loan).exists()
    body = client_for(officer).get("/api/v1/reports/aging").json()
    sma0 = next(row for row in body["buckets"] if row["bucket"] == "SMA_0")
    assert sma0 == {
        "bucket": "SMA_0",
        "loans": 1,
        "amount_overdue": f"{first.owed:.2f}",
        "principal_outstanding": f"{loan.outstanding_principal:.2f}",
        "cases": {},
    }
