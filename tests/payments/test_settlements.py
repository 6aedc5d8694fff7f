"""Settlement reconciliation: the rail's CSV matched by UTR and amount to what was booked, a
planted mismatch and a stranger found and listed until resolved, a bad file refused whole,
and the repayments no settlement confirmed listed after two days."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from apps.audit.models import AuditLog
from apps.core.business_date import get_business_date
from apps.core.jobs_runner import run_job
from apps.payments.models import SettlementFile, SettlementRow
from apps.payments.settlements import unsettled_repayments
from apps.payments.webhooks import webhook_events_apply
from tests.support.days import close_day, days_after, set_day
from tests.support.lending import make_loan
from tests.support.rail import post_webhook, rail_event
from tests.support.users import client_for

pytestmark = pytest.mark.django_db


def collect(borrower, loan, amount, utr):
    client = client_for(borrower)
    intent = client.post(
        f"/api/v1/repayments/loan/{loan.pk}/payment-intents", {"amount": str(amount), "method": "UPI"}, format="json"
    ).json()
    event = rail_event("payment.succeeded", {"intent_id": intent["id"], "amount": str(amount), "utr": utr})
    assert post_webhook(Client(), event).status_code == 200
    webhook_events_apply()


def upload(client, text, name="settlement.csv"):
    body = {"file": SimpleUploadedFile(name, text.encode())}
    return client.post("/api/v1/admin/settlements", body, format="multipart")


@pytest.fixture
def booked(borrower):
    """Two rail payments booked: 1,000.00 under UTR-A and 2,500.00 under UTR-B."""
    loan = make_loan(borrower)
    close_day(days_after(loan, 2, 1))
    collect(borrower, loan, Decimal("1000.00"), "UTRAAAA000000001")
    collect(borrower, loan, Decimal("2500.00"), "UTRBBBB000000002")
    return loan


def test_a_settlement_file_finds_the_planted_mismatch_and_the_stranger(officer, booked):
    staff = client_for(officer)
    csv = (
        "provider_reference,utr,amount,settled_on\n"
        "p1,UTRAAAA000000001,1000.00,2027-01-02\n"
        "p2,UTRBBBB000000002,2400.00,2027-01-02\n"  # planted: the rail says 2,400, we booked 2,500
        "p3,UTRZZZZ000000009,75.00,2027-01-02\n"  # nothing booked under it
    )
    response = upload(staff, csv)
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("rows", "matched", "unmatched", "mismatched")} == {
        "rows": 3,
        "matched": 1,
        "unmatched": 1,
        "mismatched": 1,
    }
    rows = {row.utr: row for row in SettlementRow.objects.all()}
    assert rows["UTRBBBB000000002"].booked_amount == Decimal("2500.00")
    assert rows["UTRAAAA000000001"].loan_id == booked.pk
    assert upload(staff, csv).status_code == 409  # the same file twice


@pytest.mark.parametrize(
    "text",
    [
        "utr,amount\nU1,10.00\n",
        "provider_reference,utr,amount,settled_on\np,,10.00,2027-01-01\n",
        "provider_reference,utr,amount,settled_on\np,U1,ten,2027-01-01\n",
        "provider_reference,utr,amount,settled_on\np,U1,10.00,01/02/2027\n",
        "provider_reference,utr,amount,settled_on\n",
    ],
    ids=["columns", "utr", "amount", "date", "empty"],
)
def test_a_bad_file_is_refused_whole_naming_the_line(officer, text):
    response = upload(client_for(officer), text)
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert not SettlementFile.objects.exists() and not SettlementRow.objects.exists()


def test_ops_upload_in_the_console_and_resolve_a_break_with_a_note(officer_web, booked):
    csv = "provider_reference,utr,amount,settled_on\np2,UTRBBBB000000002,2400.00,2027-01-02\n"
    page = officer_web.get("/admin/payments/settlementfile/add/")
    assert page.status_code == 200 and "Upload and reconcile" in page.content.decode()
    done = officer_web.post(
        "/admin/payments/settlementfile/add/", {"file": SimpleUploadedFile("rail.csv", csv.encode())}
    )
    assert done.status_code == 302
    row = SettlementRow.objects.get()
    assert row.status == "MISMATCHED"
    breaks = officer_web.get("/admin/payments/settlementrow/").content.decode()
    assert "UTRBBBB000000002" in breaks
    officer_web.post(
        f"/admin/payments/settlementrow/{row.pk}/transition/resolve/", {"reason": "Rail short-paid; claim raised"}
    )
    row.refresh_from_db()
    assert (row.status, row.resolution) == ("RESOLVED", "Rail short-paid; claim raised")
    assert AuditLog.objects.filter(action="settlement.row_resolved", object_id=str(row.pk)).exists()
    assert "UTRBBBB000000002" not in officer_web.get("/admin/payments/settlementrow/").content.decode()


def test_repayments_no_settlement_confirmed_are_listed_after_two_days(officer, officer_web, booked):
    today = get_business_date()
    assert unsettled_repayments(today).count() == 0  # not yet two days old
    later = today + datetime.timedelta(days=3)
    set_day(later)
    assert set(unsettled_repayments(later).values_list("external_reference", flat=True)) == {
        "UTRAAAA000000001",
        "UTRBBBB000000002",
    }
    upload(client_for(officer), "provider_reference,utr,amount,settled_on\np1,UTRAAAA000000001,1000.00,2027-01-02\n")
    run = run_job("settlement_check", business_date=later)
    assert run.status == "SUCCEEDED" and run.counts == {"unsettled_repayments": 1}
    page = officer_web.get("/admin/payments/unsettledrepayment/").content.decode()
    assert "UTRBBBB000000002" in page and "UTRAAAA000000001" not in page
