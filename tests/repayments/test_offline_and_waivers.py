"""The services behind the loan page's ops actions: an offline payment booked once, a charge
waived at most once and never beyond what is owed, even when the requests race (real threads,
each with its own PostgreSQL connection)."""

import uuid
from decimal import Decimal

import pytest

from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, Forbidden, InvalidInput
from apps.repayments.models import ChargeWaiver, OfflinePayment, Repayment
from apps.repayments.services import charge_waive, emi_bounce, offline_payment_record
from tests.support.concurrency import race
from tests.support.ledger import assert_books_match
from tests.support.lending import make_loan
from tests.support.users import make_user

pytestmark = pytest.mark.django_db


def bounced_loan():
    loan = make_loan(make_user())
    emi_bounce(installment_id=loan.installments.get(number=1).pk, code="04", actor=make_user("OFFICER"))
    loan.refresh_from_db()
    return loan


def pay(loan, officer, **overrides):
    kwargs = {
        "loan_id": loan.pk,
        "method": "RTGS",
        "reference": "SBINR52026120500000123",
        "amount": "2000.00",
        "received_on": get_business_date(),
        "actor": officer,
        **overrides,
    }
    return offline_payment_record(**kwargs)


def test_the_same_receipt_id_replays_and_books_nothing_more(officer):
    loan = make_loan(make_user())
    receipt_id = uuid.uuid4()
    first = pay(loan, officer, receipt_id=receipt_id)
    again = pay(loan, officer, receipt_id=receipt_id)
    assert first.pk == again.pk == receipt_id
    assert Repayment.objects.filter(offline_payment=first).count() == 1
    assert_books_match(loan)


def test_a_reference_is_normalised_before_it_is_compared(officer):
    loan = make_loan(make_user())
    pay(loan, officer, reference="sbinr 52026120500000123")
    with pytest.raises(Conflict) as refused:
        pay(loan, officer)
    assert refused.value.field == "reference"
    assert OfflinePayment.objects.get().reference == "SBINR52026120500000123"


def test_a_borrower_cannot_waive_a_charge():
    loan = bounced_loan()
    with pytest.raises(Forbidden):
        charge_waive(
            installment_id=loan.installments.get(number=1).pk,
            amount="696.20",
            reason="I would rather not pay it",
            actor=loan.borrower,
        )
    assert not ChargeWaiver.objects.exists()


def test_a_waiver_that_settles_the_last_due_leaves_the_installment_paid(officer):
    loan = bounced_loan()
    loan.product.allocation_order = ["principal", "interest", "penalty"]  # charges are paid last
    loan.product.save(update_fields=["allocation_order"])
    installment = loan.installments.get(number=1)
    pay(loan, officer, amount=str(installment.amount_due))  # the EMI paid, the bounce charge not
    installment.refresh_from_db()
    assert installment.owed == Decimal("696.20")
    charge_waive(installment_id=installment.pk, amount="696.20", reason="goodwill, first bounce", actor=officer)
    installment.refresh_from_db()
    assert (installment.status, installment.owed) == ("PAID", Decimal("0.00"))
    assert_books_match(loan)


@pytest.mark.django_db(transaction=True)
def test_racing_waivers_never_waive_more_than_is_owed(ledger_chart):
    loan = bounced_loan()
    officer = make_user("OFFICER")
    installment_id = loan.installments.get(number=1).pk

    def attempt(i):
        return charge_waive(
            installment_id=installment_id, amount="400.00", reason=f"waiver attempt {i} by ops", actor=officer
        )

    results = race(4, attempt)
    waived = [r for r in results if isinstance(r, ChargeWaiver)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert (len(waived), len(refused)) == (1, 3)  # 400 of 696.20: a second 400 is more than is left
    assert all(r.field == "amount" for r in refused)
    assert ChargeWaiver.objects.get().amount == Decimal("400.00")
    assert_books_match(loan)
    assert loan.outstanding_penalty == Decimal("296.20")


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_twice_at_once_books_once(ledger_chart):
    loan = make_loan(make_user())
    officer = make_user("OFFICER")
    receipt_id = uuid.uuid4()
    results = race(3, lambda i: pay(loan, officer, receipt_id=receipt_id))
    assert {r.pk for r in results} == {receipt_id}
    assert OfflinePayment.objects.count() == 1 and Repayment.objects.count() == 1
    assert_books_match(loan)


@pytest.mark.django_db(transaction=True)
def test_one_utr_typed_on_two_loans_at_once_is_booked_once(ledger_chart):
    loans = [make_loan(make_user()), make_loan(make_user())]
    officer = make_user("OFFICER")
    results = race(2, lambda i: pay(loans[i], officer))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "OfflinePayment"]
    assert OfflinePayment.objects.count() == 1 and Repayment.objects.count() == 1
    for loan in loans:
        assert_books_match(loan)
