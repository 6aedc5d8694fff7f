from decimal import Decimal

import pytest

from apps.ledger import chart
from apps.ledger.selectors import ledger_summary, loan_balances
from apps.loans.models import Loan
from apps.repayments.selectors import outstanding_by_ledger
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


def initiate(client, loan, kind="LEGAL_NOTICE"):
    return client.post("/api/v1/recovery/initiate", {"loan_id": str(loan.pk), "action_type": kind}, format="json")


def test_recovery_only_for_defaulted_or_npa_loans(officer_client, borrower_client, borrower):
    healthy = make_loan(borrower)
    assert initiate(officer_client, healthy).status_code == 409
    assert initiate(borrower_client, healthy).status_code == 403


def test_full_recovery_closes_the_loan(officer_client, defaulted):
    action = initiate(officer_client, defaulted).json()
    assert action["status"] == "INITIATED"
    owed = sum((i.owed for i in defaulted.installments.all()), Decimal(0))
    response = officer_client.post(
        f"/api/v1/recovery/{action['id']}/complete", {"recovered_amount": str(owed)}, format="json"
    )
    assert response.status_code == 200, response.content
    defaulted.refresh_from_db()
    assert defaulted.status == Loan.Status.CLOSED
    assert outstanding_by_ledger(defaulted) == {"principal": 0, "interest": 0, "penalty": 0}
    assert set(defaulted.business.collaterals.values_list("lien_status", flat=True)) == {"RELEASED"}
    assert (
        officer_client.post(
            f"/api/v1/recovery/{action['id']}/complete", {"recovered_amount": "1"}, format="json"
        ).status_code
        == 409
    )


def test_partial_recovery_with_write_off(officer_client, defaulted):
    defaulted.refresh_from_db()
    suspense = defaulted.interest_suspense
    assert suspense > 0
    action = initiate(officer_client, defaulted, "SETTLEMENT").json()
    response = officer_client.post(
        f"/api/v1/recovery/{action['id']}/complete",
        {"recovered_amount": "20000.00", "write_off_remaining": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["loan_status"] == "WRITTEN_OFF"
    defaulted.refresh_from_db()
    balances = loan_balances(defaulted.pk)
    assert balances[chart.LOAN_PRINCIPAL] == 0
    assert balances.get(chart.INTEREST_RECEIVABLE, 0) == 0
    assert balances.get(chart.INTEREST_SUSPENSE, 0) == 0
    from apps.ledger.models import JournalLine

    cleared = JournalLine.objects.get(entry__entry_type="WRITE_OFF", account_id=chart.INTEREST_SUSPENSE).debit
    assert 0 < cleared <= suspense  # interest held in suspense was never income: it is not an expense
    assert balances[chart.WRITE_OFF_EXPENSE] == Decimal(response.json()["written_off_amount"]) - cleared
    assert ledger_summary()["balanced"]
    # Money found later on a written-off loan is recovery income.
    later = initiate(officer_client, defaulted, "ARBITRATION").json()
    assert later["status"] == "INITIATED"
    officer_client.post(f"/api/v1/recovery/{later['id']}/complete", {"recovered_amount": "5000.00"}, format="json")
    assert loan_balances(defaulted.pk)[chart.RECOVERY_INCOME] == Decimal("-5000.00")


def test_partial_recovery_without_write_off_stays_defaulted(officer_client, defaulted):
    action = initiate(officer_client, defaulted).json()
    officer_client.post(f"/api/v1/recovery/{action['id']}/complete", {"recovered_amount": "100.00"}, format="json")
    defaulted.refresh_from_db()
    assert defaulted.status == Loan.Status.DEFAULTED
    listed = officer_client.get(f"/api/v1/recovery/?status=COMPLETED&loan={defaulted.pk}").json()["results"]
    assert [row["id"] for row in listed] == [action["id"]]


@pytest.fixture
def bounced_twice(borrower, officer):
    """DEFAULTED by a second bounce, not by DPD: its classification is still STANDARD."""
    from apps.repayments.services import emi_bounce

    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    emi_bounce(installment_id=first.pk, code="04", actor=officer)
    emi_bounce(installment_id=first.pk, code="04", actor=officer)
    loan.refresh_from_db()
    assert (loan.status, loan.asset_classification) == (Loan.Status.DEFAULTED, Loan.Classification.STANDARD)
    return loan


def test_a_loan_defaulted_by_two_bounces_is_recovered_written_off_and_recovered_again(officer_client, bounced_twice):
    action = initiate(officer_client, bounced_twice)
    assert action.status_code == 201, action.content
    response = officer_client.post(
        f"/api/v1/recovery/{action.json()['id']}/complete",
        {"recovered_amount": "1000.00", "write_off_remaining": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["loan_status"] == "WRITTEN_OFF"
    # Still STANDARD by classification, but written off: later money is recovery income.
    later = initiate(officer_client, bounced_twice, "ARBITRATION")
    assert later.status_code == 201, later.content
    officer_client.post(
        f"/api/v1/recovery/{later.json()['id']}/complete", {"recovered_amount": "700.00"}, format="json"
    )
    assert loan_balances(bounced_twice.pk)[chart.RECOVERY_INCOME] == Decimal("-700.00")
    assert ledger_summary()["balanced"]


def test_a_closed_loan_is_not_put_into_recovery_even_if_it_was_npa(officer_client, defaulted):
    action = initiate(officer_client, defaulted).json()
    owed = sum((i.owed for i in defaulted.installments.all()), Decimal(0))
    officer_client.post(f"/api/v1/recovery/{action['id']}/complete", {"recovered_amount": str(owed)}, format="json")
    defaulted.refresh_from_db()
    assert (defaulted.status, defaulted.asset_classification) == (Loan.Status.CLOSED, Loan.Classification.NPA)
    response = initiate(officer_client, defaulted)
    assert response.status_code == 409
    assert response.json()["code"] == "loan_state"


def test_write_off_of_a_loan_back_to_active_is_a_conflict_and_undoes_the_recovery(
    officer_client, admin_client, bounced_twice
):
    from apps.collections.models import RecoveryAction
    from apps.repayments.models import Repayment

    action = initiate(officer_client, bounced_twice).json()
    moved = admin_client.patch(
        f"/api/v1/admin/loans/{bounced_twice.pk}/override",
        {"status": "ACTIVE", "reason": "bounces were the bank's error"},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    response = officer_client.post(
        f"/api/v1/recovery/{action['id']}/complete",
        {"recovered_amount": "1000.00", "write_off_remaining": True},
        format="json",
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "loan_state"
    bounced_twice.refresh_from_db()
    assert bounced_twice.status == Loan.Status.ACTIVE
    assert not Repayment.objects.filter(loan=bounced_twice, kind=Repayment.Kind.RECOVERY).exists()
    assert RecoveryAction.objects.get(pk=action["id"]).status == RecoveryAction.Status.INITIATED


def test_the_admin_button_reports_a_refused_write_off_instead_of_failing(client, officer, bounced_twice):
    from django.contrib.auth.models import Group

    from apps.collections.services import recovery_initiate
    from apps.loans.services.override import loan_override

    action = recovery_initiate(loan_id=bounced_twice.pk, action_type="SETTLEMENT", notes="", actor=officer)
    loan_override(loan_id=bounced_twice.pk, status="ACTIVE", reason="bank error", actor=officer)
    officer.groups.add(Group.objects.get(name="OFFICER"))
    client.force_login(officer)
    page = client.post(
        f"/admin/collections/recoveryaction/{action.pk}/transition/complete/",
        {"recovered_amount": "1000.00", "write_off_remaining": "on"},
        follow=True,
    )
    assert page.status_code == 200
    assert "was not done" in page.content.decode()
    bounced_twice.refresh_from_db()
    assert bounced_twice.status == Loan.Status.ACTIVE


def test_recovery_posts_replay_under_the_same_idempotency_key(officer_client, defaulted):
    from apps.collections.models import RecoveryAction
    from apps.ledger.models import JournalEntry

    body = {"loan_id": str(defaulted.pk), "action_type": "SETTLEMENT"}
    first = officer_client.post("/api/v1/recovery/initiate", body, format="json", HTTP_IDEMPOTENCY_KEY="rec-1")
    again = officer_client.post("/api/v1/recovery/initiate", body, format="json", HTTP_IDEMPOTENCY_KEY="rec-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert RecoveryAction.objects.filter(loan=defaulted).count() == 1

    url = f"/api/v1/recovery/{first.json()['id']}/complete"
    pay = {"recovered_amount": "2000.00"}
    done = officer_client.post(url, pay, format="json", HTTP_IDEMPOTENCY_KEY="rec-2")
    assert done.status_code == 200, done.content
    entries = JournalEntry.objects.filter(loan_id=defaulted.pk).count()
    replayed = officer_client.post(url, pay, format="json", HTTP_IDEMPOTENCY_KEY="rec-2")
    assert (replayed.status_code, replayed.json()) == (200, done.json())
    assert JournalEntry.objects.filter(loan_id=defaulted.pk).count() == entries
    assert (
        officer_client.post(url, {"recovered_amount": "1.00"}, format="json", HTTP_IDEMPOTENCY_KEY="rec-2").status_code
        == 422
    )
