"""The ops console walked in a real browser on the demo book, a screenshot of every page.

As an OFFICER: log in, the dashboard, find a borrower by phone, their 360, a loan, record an
offline NEFT payment and see it in the repayments, the schedule and the ledger lines. As an
ADMIN: a worklist's bulk action and a job's "Run now".

Screenshots go to $SCREENSHOTS_DIR (`make screenshots` writes docs/screenshots/), else to the
test's temporary folder; either way every page is asserted on, not only photographed.
"""

import os
import shutil
from pathlib import Path

import pytest
from constance.test import override_config
from django.contrib.auth.models import Group
from django.core.management import call_command

from apps.collections.models import CollectionCase
from apps.core.errors import Conflict
from apps.core.models import JobRun
from apps.invoices.models import Invoice
from apps.kyc.models import Business
from apps.loans.models import Loan, LoanApplication
from apps.loans.services import offers_generate
from tests.support.lending import verified_invoice
from tests.support.users import make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
# Northwind Auto Parts in the demo book (apps/demo/book.py): pays twelve days late.
LATE_PAYER_PHONE = "+919820000001"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: `apt-get install chromium` or set CHROMIUM_PATH"),
]


def staff(role, username):
    user = make_user(role, username=username, password="a-long-test-password")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def demo(ledger_chart):
    """The demo book (130 days of history), two staff, and an application risk held for review."""
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    staff("OFFICER", "walk-officer")
    staff("ADMIN", "walk-admin")
    owner = Business.objects.get(legal_name="Kaveri Spices LLP").owner
    held = verified_invoice(owner, amount="2600000.00")
    with override_config(RISK_REVIEW_AMOUNT=2000000), pytest.raises(Conflict):  # it asks ₹20,80,000
        offers_generate(invoice_id=held.pk, actor=owner)
    return held


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser_page(demo, live_server):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(20000)
        yield page
        browser.close()


def snap(page, shots, name):
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def login(
    page, live_server, shots, username, *, snap_as=None, password="a-long-test-password", lands="#book-dashboard"
):
    page.goto(f"{live_server.url}/admin/login/")
    if snap_as:
        snap(page, shots, snap_as)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form [type=submit]")
    page.wait_for_selector(lands)


def test_an_officer_and_an_admin_walk_the_console(demo, browser_page, live_server, shots, monkeypatch):
    from apps.core import tasks

    page, held = browser_page, demo
    delivered = []
    for task in (tasks.run_job_task, tasks.run_idempotent_job_task):
        monkeypatch.setattr(task, "delay", lambda *args, task=task: delivered.append((task, args)))

    login(page, live_server, shots, "walk-officer", snap_as="01-login")
    assert "AUM" in page.inner_text("#kpi-aum") and "₹" in page.inner_text("#kpi-aum")
    assert page.locator("svg.chart").count() == 4
    snap(page, shots, "02-dashboard")

    # Find the borrower by phone, from the header's search box, as typed on a call.
    page.fill("#borrower-search input[name=q]", "98200 00001")
    page.press("#borrower-search input[name=q]", "Enter")
    page.wait_for_selector("#borrower-360")
    assert "Northwind Auto Parts" in page.inner_text("#borrower-360")
    snap(page, shots, "03-borrower-360")

    loan = Loan.objects.get(business__owner__phone=LATE_PAYER_PHONE)
    page.click(f"#b360-loans a:has-text('{loan.reference}')")
    page.wait_for_selector("#record-actions")
    snap(page, shots, "04-loan")

    page.click("text=Record an offline payment")
    page.select_option("#id_method", "NEFT")
    page.fill("#id_reference", "HDFCN52026120512345")
    page.fill("#id_amount", "25000.00")
    snap(page, shots, "05-offline-payment")
    page.click("#submit-record_payment")
    page.wait_for_selector(".messagelist")
    assert "Recorded NEFT HDFCN52026120512345 of ₹25,000.00" in page.inner_text(".messagelist")
    assert page.locator("td.field-external_reference", has_text="HDFCN52026120512345").count() >= 1
    page.click("summary:has-text('Ledger lines')")  # folded by default under the schedule
    ledger = page.inner_text("#ledger-lines")
    assert "Repayment" in ledger and "₹25,000.00" in ledger
    snap(page, shots, "06-loan-after-payment")

    page.goto(f"{live_server.url}/admin/loans/overdueloan/")
    assert loan.reference in page.inner_text("#result_list")
    snap(page, shots, "07-worklist-overdue")

    page.context.clear_cookies()
    login(page, live_server, shots, "walk-admin")
    page.goto(f"{live_server.url}/admin/loans/loanapplication/")
    assert held.invoice_number in page.inner_text("#result_list")
    snap(page, shots, "08-worklist-applications-under-review")
    application = LoanApplication.objects.get(invoice=held)
    page.check(f"input[name=_selected_action][value='{application.pk}']")
    page.select_option("select[name=action]", "approve_applications")
    page.click("button[name=index], button[type=submit][title='Run']")
    page.wait_for_selector("#id_reason")
    page.fill("#id_reason", "Known buyer, five years of trade")
    page.click("#reason-form [type=submit]")
    page.wait_for_selector(".messagelist")
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("APPROVED", "Known buyer, five years of trade")
    assert Invoice.objects.get(pk=held.pk).status == Invoice.Status.OFFERED

    page.goto(f"{live_server.url}/admin/core/jobrun/")
    page.click("#run-daily_metrics")
    page.wait_for_selector(".messagelist")
    assert "queued" in page.inner_text(".messagelist")
    snap(page, shots, "09-jobs")
    [(task, args)] = delivered
    task(*args)
    run = JobRun.objects.filter(name="daily_metrics").order_by("-created_at").first()
    assert run.status == "SUCCEEDED", run.error

    # A collector (the demo's, with the cases the book's nights gave them): their start page,
    # their worklist, a case, and a visit logged on it.
    page.context.clear_cookies()
    login(page, live_server, shots, "collector", password="collector-demo-pass", lands="#collector-day")
    snap(page, shots, "10-collector-start")
    page.click("text=Open my worklist")
    page.wait_for_selector("#result_list")
    mine = CollectionCase.objects.filter(assigned_to__username="collector", status__in=CollectionCase.OPEN_STATUSES)
    listed = {text.strip() for text in page.locator("#result_list tbody .field-loan_ref").all_inner_texts()}
    assert mine.exists() and listed == {case.loan.reference for case in mine}
    snap(page, shots, "11-collector-worklist")
    page.locator("#result_list tbody tr a").first.click()
    page.click("text=Log a call, visit or promise")
    page.select_option("#id_type", "VISIT")
    page.select_option("#id_outcome", "CONTACTED")
    page.fill("#id_notes", "Met the owner at the shop")
    snap(page, shots, "12-log-a-visit")
    page.click("#submit-log_action")
    page.wait_for_selector(".messagelist")
    assert "Logged: Visit: Contacted" in page.inner_text(".messagelist")
    assert "Met the owner at the shop" in page.content()
    snap(page, shots, "13-case")
