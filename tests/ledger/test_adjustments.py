"""Ledger adjustments with four eyes: the reversal of a journal entry, with a reason, is asked
for by one staff user and posted — on the business date of the approval — only when a
different ADMIN approves. Entries the loans' own records mirror are corrected by their own
operation and refused here with a 409 naming why."""

import datetime
from decimal import Decimal

import pytest

from apps.audit.approvals import approval_approve
from apps.audit.models import Approval, AuditLog
from apps.core.business_date import business_date_set, get_business_date
from apps.ledger import chart
from apps.ledger.balances import find_drift
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import ledger_summary
from tests.support.factories import AdminFactory
from tests.support.ledger import post
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db
WHY = "posted to the wrong bank account by the import"


def _misposted(day) -> JournalEntry:
    """A transfer between our own bank accounts keyed the wrong way round: ledger-only money."""
    return post(
        "test-misposted-transfer",
        "5000.00",
        debit=chart.BANK_DISBURSEMENT,
        credit=chart.BANK_COLLECTIONS,
        business_date=day,
        memo="Sweep from collections to disbursement",
    )


def test_a_reversal_waits_for_a_second_admin_and_posts_on_the_approval_day(
    ledger_chart, officer_client, officer, admin_client, admin_user
):
    entry = _misposted(get_business_date())
    asked = officer_client.post(f"/api/v1/admin/ledger/entries/{entry.pk}/reverse", {"reason": WHY}, format="json")
    assert asked.status_code == 202, asked.content
    assert asked.json()["status"] == "PENDING"
    assert not JournalEntry.objects.filter(entry_type="REVERSAL").exists()
    approval = Approval.objects.get(pk=asked.json()["approval_id"])
    assert (approval.kind, approval.requested_by, approval.payload) == (
        "ledger_reversal",
        officer,
        {"entry_id": str(entry.pk), "reason": WHY},
    )
    # A second ask for the same entry while the first waits is refused.
    again = officer_client.post(f"/api/v1/admin/ledger/entries/{entry.pk}/reverse", {"reason": WHY}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "approval_pending"

    approval_day = get_business_date() + datetime.timedelta(days=3)
    business_date_set(date=approval_day)
    approved = admin_client.post(f"/api/v1/admin/approvals/{approval.pk}/approve", {"reason": "checked"}, format="json")
    assert approved.status_code == 200, approved.content
    reversal = JournalEntry.objects.get(entry_type="REVERSAL")
    assert approved.json()["result"] == {"reversal_id": str(reversal.pk)}
    assert reversal.reverses == entry and reversal.actor == admin_user and reversal.business_date == approval_day
    assert set(reversal.lines.values_list("account_id", "debit", "credit")) == {
        (chart.BANK_DISBURSEMENT, Decimal("0.00"), Decimal("5000.00")),
        (chart.BANK_COLLECTIONS, Decimal("5000.00"), Decimal("0.00")),
    }
    assert AuditLog.objects.filter(action="ledger.entry_reversed", object_id=str(entry.pk), reason=WHY).exists()
    assert ledger_summary()["balanced"] and find_drift() == []
    done = officer_client.post(f"/api/v1/admin/ledger/entries/{entry.pk}/reverse", {"reason": WHY}, format="json")
    assert done.status_code == 409 and done.json()["code"] == "already_reversed"


def test_an_entry_the_loan_mirrors_is_refused_naming_why_and_nothing_is_asked(ledger_chart, borrower, officer_client):
    loan = make_loan(borrower)
    disbursement = JournalEntry.objects.get(loan_id=loan.pk, entry_type="DISBURSEMENT")
    refused = officer_client.post(
        f"/api/v1/admin/ledger/entries/{disbursement.pk}/reverse", {"reason": WHY}, format="json"
    )
    assert refused.status_code == 409 and refused.json()["code"] == "reverse_by_operation"
    assert "a loan's principal" in refused.json()["detail"]
    assert not Approval.objects.exists()


def test_bad_requests_change_nothing(ledger_chart, officer_client, borrower_client):
    entry = _misposted(get_business_date())
    url = f"/api/v1/admin/ledger/entries/{entry.pk}/reverse"
    short = officer_client.post(url, {"reason": "oops"}, format="json")
    assert short.status_code == 400 and "reason" in short.json()["errors"]
    assert borrower_client.post(url, {"reason": WHY}, format="json").status_code == 403
    missing = officer_client.post(
        "/api/v1/admin/ledger/entries/00000000-0000-0000-0000-000000000000/reverse", {"reason": WHY}, format="json"
    )
    assert missing.status_code == 404
    assert not Approval.objects.exists()


def test_the_maker_cannot_approve_their_own_reversal(ledger_chart, admin_client, admin_user):
    from apps.core.errors import Forbidden

    entry = _misposted(get_business_date())
    asked = admin_client.post(f"/api/v1/admin/ledger/entries/{entry.pk}/reverse", {"reason": WHY}, format="json")
    with pytest.raises(Forbidden):
        approval_approve(approval_id=asked.json()["approval_id"], actor=admin_user)
    assert not JournalEntry.objects.filter(entry_type="REVERSAL").exists()
    approval_approve(approval_id=asked.json()["approval_id"], actor=AdminFactory())
    assert JournalEntry.objects.filter(entry_type="REVERSAL", reverses=entry).exists()


def test_the_journal_entry_page_asks_for_a_reversal_only_where_one_is_allowed(ledger_chart, borrower, officer_web):
    loan = make_loan(borrower)
    entry = _misposted(get_business_date())
    disbursement = JournalEntry.objects.get(loan_id=loan.pk, entry_type="DISBURSEMENT")
    page = officer_web.get(f"/admin/ledger/journalentry/{entry.pk}/change/").content.decode()
    assert "Reverse this entry (four eyes)" in page
    mirrored = officer_web.get(f"/admin/ledger/journalentry/{disbursement.pk}/change/").content.decode()
    assert "Reverse this entry (four eyes)" not in mirrored
    response = officer_web.post(
        f"/admin/ledger/journalentry/{entry.pk}/transition/reverse/", {"reason": WHY}, follow=True
    )
    assert "posted when an ADMIN other than you approves it" in response.content.decode()
    assert Approval.objects.get().kind == "ledger_reversal"


def test_a_recovery_entry_is_corrected_by_its_operation_not_by_hand(ledger_chart, officer_client):
    recovery = post(
        "test-recovery",
        "700.00",
        entry_type="RECOVERY",
        debit=chart.BANK_COLLECTIONS,
        credit=chart.RECOVERY_INCOME,
        business_date=get_business_date(),
    )
    refused = officer_client.post(f"/api/v1/admin/ledger/entries/{recovery.pk}/reverse", {"reason": WHY}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "reverse_by_operation"
    assert "recovered amount" in refused.json()["detail"]
    assert not Approval.objects.exists()
