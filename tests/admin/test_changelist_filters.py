"""Changelists of big tables build their filter sidebars without reading the table: no
SELECT DISTINCT of a field's values, no date_hierarchy (a DISTINCT date_trunc), and the
filters and searches that replaced them still find rows."""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.audit.models import AuditLog
from apps.core.business_date import business_date_set
from apps.core.models import JobRun
from apps.invoices.models import Invoice
from apps.repayments.services import emi_pay
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db

BIG_TABLES = [
    "/admin/repayments/repayment/",
    "/admin/audit/auditlog/",
    "/admin/ledger/journalentry/",
    "/admin/invoices/invoice/",
    "/admin/risk/creditscore/",
    "/admin/core/jobrun/",
    "/admin/loans/offer/",
    "/admin/kyc/business/",
    "/admin/accounts/device/",
]


def _project_changelists() -> list[str]:
    # django_celery_beat's own admin is left as it is: a handful of schedule rows.
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
        if model.__module__.startswith("apps.")
    )


@pytest.fixture
def book(borrower):
    loan = make_loan(borrower)
    emi_pay(installment_id=loan.installments.get(number=1).pk, actor=borrower)
    JobRun.objects.create(name="offer_expiry", business_date=datetime.date(2027, 1, 15))
    return loan


def _distinct_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in queries.captured_queries if "DISTINCT" in query["sql"].upper()]


@pytest.mark.parametrize("url", BIG_TABLES)
def test_a_big_tables_changelist_runs_no_distinct(admin_web, book, url):
    assert _distinct_queries(admin_web, url) == []


def test_no_changelist_of_the_project_runs_a_distinct(admin_web, book):
    assert set(BIG_TABLES) <= set(_project_changelists())
    offenders = {url: sql for url in _project_changelists() if (sql := _distinct_queries(admin_web, url))}
    assert offenders == {}


def _filter_choices(response, title) -> list[str]:
    spec = next(spec for spec in response.context["cl"].filter_specs if spec.title == title)
    return [choice["display"] for choice in spec.choices(response.context["cl"])]


def test_invoice_financial_years_come_from_the_business_date(admin_web, book):
    business_date_set(date=datetime.date(2027, 3, 31))
    response = admin_web.get("/admin/invoices/invoice/")
    assert _filter_choices(response, "financial year") == ["All", "2026-27", "2025-26", "2024-25", "2023-24"]
    business_date_set(date=datetime.date(2027, 4, 1))
    response = admin_web.get("/admin/invoices/invoice/")
    assert _filter_choices(response, "financial year")[1] == "2027-28"
    invoice = Invoice.objects.get()
    found = admin_web.get(f"/admin/invoices/invoice/?financial_year={invoice.financial_year}")
    assert list(found.context["cl"].result_list) == [invoice]
    assert list(admin_web.get("/admin/invoices/invoice/?financial_year=1999-00").context["cl"].result_list) == []


def test_audit_log_is_found_by_action_prefix_and_filtered_by_role_and_type(admin_web, book):
    url = "/admin/audit/auditlog/"
    sanctioned = AuditLog.objects.get(action="loan.sanctioned")
    by_prefix = admin_web.get(url, {"q": "loan.sanc"}).context["cl"].result_list
    assert list(by_prefix) == [sanctioned]
    assert list(admin_web.get(url, {"q": "sanctioned"}).context["cl"].result_list) == []  # a prefix, not contains
    by_type = admin_web.get(url, {"object_type": "loans.loan"}).context["cl"].result_list
    assert sanctioned in by_type and {log.object_type for log in by_type} == {"loans.loan"}
    by_role = admin_web.get(url, {"actor_role": "BORROWER"}).context["cl"].result_list
    assert by_role and {log.actor_role for log in by_role} == {"BORROWER"}
    response = admin_web.get(url)
    assert {"Borrower", "Officer", "Admin", "System"} <= set(_filter_choices(response, "actor role"))
    assert "loans.loan" in _filter_choices(response, "object type")


def test_job_runs_are_filtered_by_a_registered_job_name(admin_web, book):
    response = admin_web.get("/admin/core/jobrun/")
    assert "offer_expiry" in _filter_choices(response, "job")
    assert len(admin_web.get("/admin/core/jobrun/?name=offer_expiry").context["cl"].result_list) == 1
    assert len(admin_web.get("/admin/core/jobrun/?name=emi_reminders").context["cl"].result_list) == 0


def test_repayments_filter_by_kind_and_day(admin_web, book):
    repayment = book.repayments.get()
    day, next_day = repayment.business_date, repayment.business_date + datetime.timedelta(days=1)
    url = "/admin/repayments/repayment/"
    that_day = {"business_date__gte": day.isoformat(), "business_date__lt": next_day.isoformat()}
    assert list(admin_web.get(url, {"kind": "EMI", **that_day}).context["cl"].result_list) == [repayment]
    assert list(admin_web.get(url, {"kind": "RECOVERY", **that_day}).context["cl"].result_list) == []
