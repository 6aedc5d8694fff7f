from decimal import Decimal

import pytest

from apps.ledger import chart
from apps.ledger.selectors import ledger_summary, loan_balances
from apps.loans.models import Loan
from apps.repayments.services import outstanding_by_ledger
from tests.repayments.conftest import close_day, days_after
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


@pytest.fixture
def defaulted(borrower):
    loan = make_loan(borrower, secured=True)
    close_day(days_after(loan, 1, 91))
    loan.refresh_from_db()
    assert loan.status == Loan.Status.DEFAULTED
    return loan


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
