import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from apps.loans.models import Installment, Loan
from apps.repayments.models import Repayment
from tests.support.days import close_day, days_after
from tests.support.ledger import assert_books_match
from tests.support.lending import make_loan
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db


def pay(client, installment, amount=None, key=None):
    body = {} if amount is None else {"amount": amount}
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"/api/v1/repayments/emi/{installment.pk}/pay", body, format="json", **headers)


def first(loan) -> Installment:
    return loan.installments.get(number=1)


def test_paying_the_first_emi_in_full_before_it_falls_due(borrower_client, loan):
    response = pay(borrower_client, first(loan))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "13089.77"
    assert body["allocation"] == {"penalty": "0.00", "interest": "1000.00", "principal": "12089.77"}
    assert body["installment_status"] == "PAID"
    assert body["loan_outstanding"] == "62910.23"
    assert_books_match(loan)


def test_partial_payment_after_the_interest_fell_due_clears_the_receivable_first(borrower_client, loan):
    close_day(days_after(loan, 1, 0))
    loan.refresh_from_db()
    assert loan.outstanding_interest == Decimal("1000.00")
    body = pay(borrower_client, first(loan), amount="1500.00").json()
    assert body["allocation"] == {"penalty": "0.00", "interest": "1000.00", "principal": "500.00"}
    assert body["installment_status"] == "PARTIALLY_PAID"
    assert_books_match(loan)


def test_bounce_charge_is_paid_first(borrower_client, officer_client, loan):
    installment = first(loan)
    bounce = officer_client.post(f"/api/v1/repayments/emi/{installment.pk}/bounce", {"reason": "04"}, format="json")
    assert bounce.status_code == 201, bounce.content
    assert bounce.json()["charge"] == "696.20"  # 590.00 + 18 % GST
    body = pay(borrower_client, installment, amount="700.00").json()
    assert body["allocation"] == {"penalty": "696.20", "interest": "3.80", "principal": "0.00"}
    assert_books_match(loan)


@pytest.mark.parametrize(("amount", "status"), [("0", 400), ("-1.00", 400), ("13089.78", 400), ("1.001", 400)])
def test_bad_amounts_are_400_and_change_nothing(borrower_client, loan, amount, status):
    response = pay(borrower_client, first(loan), amount=amount)
    assert response.status_code == status
    assert "amount" in response.json()["errors"]
    assert Repayment.objects.count() == 0


def test_a_paid_installment_is_409(borrower_client, loan):
    assert pay(borrower_client, first(loan)).status_code == 201
    assert pay(borrower_client, first(loan)).status_code == 409


def test_another_borrower_gets_404_and_staff_may_pay(loan, officer_client):
    stranger = client_for(make_user())
    refused = pay(stranger, first(loan))
    assert refused.status_code == 404
    assert refused.json()["detail"] == "Loan not found."
    missing = officer_client.post(
        f"/api/v1/repayments/emi/{uuid.uuid4()}/pay", {"amount": "1.00"}, format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert (missing.status_code, missing.json()["detail"]) == (404, "Installment not found.")
    assert pay(officer_client, first(loan), amount="100.00").status_code == 201


def test_idempotent_replay(borrower_client, loan):
    one = pay(borrower_client, first(loan), amount="100.00", key="pay-1")
    two = pay(borrower_client, first(loan), amount="100.00", key="pay-1")
    assert one.json() == two.json()
    assert Repayment.objects.count() == 1
    assert pay(borrower_client, first(loan), amount="200.00", key="pay-1").status_code == 422


def test_paying_every_installment_closes_the_loan_and_settles_the_invoice(borrower_client, borrower):
    loan = make_loan(borrower, secured=True)
    for installment in loan.installments.order_by("number"):
        assert pay(borrower_client, installment).status_code == 201
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED
    assert loan.invoice.status == "SETTLED"
    assert set(loan.business.collaterals.values_list("lien_status", flat=True)) == {"RELEASED"}
    assert_books_match(loan)


def test_second_bounce_defaults_the_loan(officer_client, loan, borrower_client):
    for number in (1, 2):
        installment = loan.installments.get(number=number)
        response = officer_client.post(
            f"/api/v1/repayments/emi/{installment.pk}/bounce", {"reason": "01"}, format="json"
        )
    assert response.json()["bounce_count"] == 2
    assert response.json()["loan_status"] == "DEFAULTED"
    assert borrower_client.post(f"/api/v1/repayments/emi/{first(loan).pk}/bounce", {"reason": "01"}).status_code == 403
    bad = officer_client.post(f"/api/v1/repayments/emi/{first(loan).pk}/bounce", {"reason": "99"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    history = borrower_client.get(f"/api/v1/repayments/loan/{loan.pk}/history").json()
    assert [item["type"] for item in history] == ["BOUNCE", "BOUNCE"]
    assert_books_match(loan)


@pytest.mark.django_db(transaction=True)
def test_parallel_payments_cannot_over_apply(ledger_chart):
    borrower = make_user()
    loan = make_loan(borrower)
    installment = first(loan)
    barrier = threading.Barrier(4)
    codes = []

    def attempt():
        try:
            barrier.wait()
            codes.append(pay(client_for(borrower), installment, amount="10000.00").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 400, 400, 400]
    installment.refresh_from_db()
    assert installment.amount_paid == Decimal("10000.00")
    assert_books_match(loan)


def test_a_products_own_allocation_order_is_followed(borrower_client, officer_client, loan):
    product = loan.product
    product.allocation_order = ["principal", "interest", "penalty"]
    product.save(update_fields=["allocation_order"])
    installment = first(loan)
    officer_client.post(f"/api/v1/repayments/emi/{installment.pk}/bounce", {"reason": "04"}, format="json")
    body = pay(borrower_client, installment, amount="12500.00").json()
    assert body["allocation"] == {"penalty": "0.00", "interest": "410.23", "principal": "12089.77"}
    assert_books_match(loan)


def test_a_payment_whose_response_fails_is_not_booked_and_its_retry_pays_once(borrower_client, loan, monkeypatch):
    """Before, emi_pay committed and then building the answer failed: the claim was dropped and
    a retry with the same key paid a second time."""
    from apps.repayments.api import views

    real = views.repayment_result

    def broken(repayment):
        raise RuntimeError("connection lost while reading the loan back")

    monkeypatch.setattr(views, "repayment_result", broken)
    borrower_client.raise_request_exception = False
    assert pay(borrower_client, first(loan), amount="100.00", key="pay-once").status_code == 500
    assert Repayment.objects.filter(loan=loan).count() == 0
    monkeypatch.setattr(views, "repayment_result", real)
    again = pay(borrower_client, first(loan), amount="100.00", key="pay-once")
    replay = pay(borrower_client, first(loan), amount="100.00", key="pay-once")
    assert (again.status_code, replay.status_code) == (201, 201)
    assert replay["Idempotent-Replayed"] == "true" and replay.json() == again.json()
    assert list(Repayment.objects.filter(loan=loan).values_list("amount", flat=True)) == [Decimal("100.00")]
    assert_books_match(loan)


def test_the_answer_does_not_read_the_loan_back(borrower_client, loan, monkeypatch):
    """Before, the view re-read the loan after the payment committed; when another payment had
    changed its status meanwhile, django-fsm refused the refresh and a booked payment answered 500."""
    from apps.repayments.api import views

    real = views.emi_pay

    def pay_then_another_changes_the_status(*args, **kwargs):
        repayment = real(*args, **kwargs)
        Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.OVERDUE)
        return repayment

    monkeypatch.setattr(views, "emi_pay", pay_then_another_changes_the_status)
    response = pay(borrower_client, first(loan), amount="100.00", key="fsm")
    assert response.status_code == 201, response.content
