"""Every repayment and bounce points at the journal entry that booked it, whatever its kind."""

from decimal import Decimal

import pytest

from apps.ledger.models import JournalEntry
from apps.repayments.models import Bounce, Repayment
from tests.support.days import close_day, days_after
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


def assert_linked(rows):
    rows = list(rows)
    assert rows, "nothing was booked"
    for row in rows:
        row.refresh_from_db()
        assert row.journal_entry_id is not None, row
        entry = JournalEntry.objects.get(pk=row.journal_entry_id)
        assert entry.source_id == str(row.pk)
        assert sum(line.debit for line in entry.lines.all()) == sum(line.credit for line in entry.lines.all())


def test_every_kind_of_repayment_and_a_bounce_store_their_entry(borrower, borrower_client, officer_client):
    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    assert borrower_client.post(f"/api/v1/repayments/emi/{first.pk}/pay", {"amount": "100.00"}).status_code == 201
    bounce = officer_client.post(f"/api/v1/repayments/emi/{first.pk}/bounce", {"reason": "01"})
    assert bounce.status_code == 201, bounce.content
    prepay = borrower_client.post(f"/api/v1/repayments/loan/{loan.pk}/prepay", {"amount": "5000.00"})
    assert prepay.status_code == 201, prepay.content
    quote = borrower_client.get(f"/api/v1/repayments/loan/{loan.pk}/foreclosure-quote").json()
    foreclose = borrower_client.post(f"/api/v1/repayments/loan/{loan.pk}/foreclose", {"amount": quote["total"]})
    assert foreclose.status_code == 201, foreclose.content
    kinds = set(Repayment.objects.filter(loan=loan).values_list("kind", flat=True))
    assert kinds >= {"EMI", "PREPAYMENT", "FORECLOSURE"}
    assert_linked(Repayment.objects.filter(loan=loan))
    assert_linked(Bounce.objects.filter(loan=loan))


def test_a_recovery_stores_its_entry(officer_client, borrower):
    loan = make_loan(borrower, secured=True)
    close_day(days_after(loan, 1, 91))
    action = officer_client.post(
        "/api/v1/recovery/initiate", {"loan_id": str(loan.pk), "action_type": "LEGAL_NOTICE"}
    ).json()
    owed = sum((i.owed for i in loan.installments.all()), Decimal(0))
    done = officer_client.post(f"/api/v1/recovery/{action['id']}/complete", {"recovered_amount": str(owed)})
    assert done.status_code == 200, done.content
    assert_linked(Repayment.objects.filter(loan=loan, kind="RECOVERY"))
