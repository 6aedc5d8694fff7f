from decimal import Decimal

import pytest

from apps.loans.models import Loan
from apps.repayments.selectors import outstanding_by_ledger
from tests.support.days import close_day, days_after, set_day

pytestmark = pytest.mark.django_db


def test_prepayment_pays_arrears_first_then_lowers_the_emi_over_the_same_tenure(borrower_client, loan):
    close_day(days_after(loan, 1, 3))
    response = borrower_client.post(
        f"/api/v1/repayments/loan/{loan.pk}/prepay", {"amount": "33089.77"}, format="json", HTTP_IDEMPOTENCY_KEY="pp1"
    )
    assert response.status_code == 201, response.content
    loan.refresh_from_db()
    first = loan.installments.get(number=1)
    assert first.status == "PAID"
    # Three days overdue, closed in one night: 3 x 8.61 of penal charges (13,089.77 x 24% / 365) are arrears too.
    assert first.penalty_paid == Decimal("25.83")
    prepaid = Decimal("20000.00") - Decimal("25.83")
    assert loan.outstanding_principal == Decimal("75000.00") - Decimal("12089.77") - prepaid
    future = list(loan.installments.filter(number__gt=1).order_by("number"))
    assert len(future) == 5
    assert sum(i.principal_due for i in future) == loan.outstanding_principal
    assert loan.emi < Decimal("13089.77")
    assert outstanding_by_ledger(loan)["principal"] == loan.outstanding_principal


def test_prepaying_everything_is_refused_in_favour_of_foreclosure(borrower_client, loan):
    response = borrower_client.post(f"/api/v1/repayments/loan/{loan.pk}/prepay", {"amount": "75000.00"}, format="json")
    assert response.status_code == 400


def test_foreclosure_quote_and_foreclose(borrower_client, borrower):
    from tests.support.lending import make_loan

    loan = make_loan(borrower, secured=True)
    set_day(days_after(loan, 1, 10))
    quote = borrower_client.get(f"/api/v1/repayments/loan/{loan.pk}/foreclosure-quote").json()
    assert quote["principal"] == "90000.00"
    # 1st EMI's interest fell due (not accrued: no close of business ran) + 10 days on 90,000 at 15 %
    assert Decimal(quote["interest_to_date"]) == Decimal("1125.00") + Decimal("369.86")
    assert Decimal(quote["total"]) == Decimal(quote["principal"]) + Decimal(quote["interest_to_date"])
    wrong = borrower_client.post(f"/api/v1/repayments/loan/{loan.pk}/foreclose", {"amount": "1.00"}, format="json")
    assert wrong.status_code == 400
    done = borrower_client.post(
        f"/api/v1/repayments/loan/{loan.pk}/foreclose", {"amount": quote["total"]}, format="json"
    )
    assert done.status_code == 201, done.content
    loan.refresh_from_db()
    assert loan.status == Loan.Status.CLOSED
    assert outstanding_by_ledger(loan) == {"principal": 0, "interest": 0, "penalty": 0}
    assert set(loan.business.collaterals.values_list("lien_status", flat=True)) == {"RELEASED"}
