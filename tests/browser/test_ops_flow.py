"""An OFFICER's day in a real browser (Playwright driving Debian's Chromium), then an ADMIN
running a job. Skipped, with how to enable it, where Chromium is not installed."""

import os
import shutil

import pytest
from django.contrib.auth.models import Group

from apps.core.models import JobRun
from apps.kyc.models import Business
from tests.support.lending import make_loan, verified_business
from tests.support.users import make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="needs Chromium: `apt-get install chromium` (.ci/run does it) or set CHROMIUM_PATH",
    ),
]


def staff(role, username):
    user = make_user(role, username=username, password="a-long-test-password")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def book(ledger_chart):
    """Made before the browser starts: Playwright runs an event loop in this thread."""
    staff("OFFICER", "ops-officer")
    staff("ADMIN", "ops-admin")
    review = verified_business(make_user(), kyc_status=Business.KycStatus.MANUAL_REVIEW)
    return review, make_loan(make_user())


@pytest.fixture
def page(book, live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in the test thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_default_timeout(15000)
        yield page
        browser.close()


def login(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a-long-test-password")
    page.click("#login-form [type=submit]")
    page.wait_for_selector("#book-dashboard")


def test_officer_reviews_kyc_records_a_payment_and_a_bounce_and_admin_runs_a_job(book, page, live_server, monkeypatch):
    from apps.core import tasks

    review, loan = book
    delivered = []
    for task in (tasks.run_job_task, tasks.run_idempotent_job_task):
        monkeypatch.setattr(task, "delay", lambda *args, task=task: delivered.append((task, args)))

    login(page, live_server, "ops-officer")
    page.goto(f"{live_server.url}/admin/kyc/business/{review.pk}/change/")
    page.click("text=Approve KYC")
    page.fill("#id_reason", "GST certificate matches the PAN")
    page.click("#confirm-transition")
    page.wait_for_selector(".messagelist")
    review.refresh_from_db()
    assert review.kyc_status == "VERIFIED"

    page.goto(f"{live_server.url}/admin/loans/loan/{loan.pk}/change/")
    assert page.locator("text=Ledger lines").count() >= 1
    page.click("text=Record an offline payment")
    page.select_option("#id_method", "NEFT")
    page.fill("#id_reference", "HDFCN52026112912345")
    page.fill("#id_amount", "15000.00")
    page.click("#submit-record_payment")
    page.wait_for_selector(".messagelist")
    assert "Recorded NEFT HDFCN52026112912345 of ₹15,000.00" in page.inner_text(".messagelist")
    assert page.locator("td.field-external_reference", has_text="HDFCN52026112912345").count() == 2
    assert page.locator("td.field-status", has_text="Partially Paid").count() == 1  # the schedule
    page.click("text=Record a bounce")
    assert "₹696.20" in page.inner_text("#form-action")  # the charge with its GST, before it is recorded
    page.select_option("#id_return_code", "04")
    page.click("#submit-record_bounce")
    page.wait_for_selector(".messagelist")
    loan.refresh_from_db()
    assert loan.bounce_count == 1

    page.context.clear_cookies()
    login(page, live_server, "ops-admin")
    page.goto(f"{live_server.url}/admin/core/jobrun/")
    page.click("#run-offer_expiry")
    page.wait_for_selector(".messagelist")
    assert "queued" in page.inner_text(".messagelist")
    run = JobRun.objects.get(name="offer_expiry")
    assert run.status == "QUEUED"
    # What a worker does with the message the admin queued after its commit.
    [(task, args)] = delivered
    task(*args)
    run.refresh_from_db()
    assert run.status == "SUCCEEDED", run.error
