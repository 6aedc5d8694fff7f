"""The statement of account: every movement of what the borrower owes from the ledger, with a
running balance, and a closing balance equal to what the loan owes, whatever happened to it."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.business_date import get_business_date
from apps.core.money import gst_on
from apps.loans.models import Loan
from apps.repayments.services import emi_bounce, emi_pay, loan_prepay
from apps.repayments.statement import loan_statement
from tests.support.days import close_day, days_after
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


def _owed(loan: Loan) -> Decimal:
    loan.refresh_from_db()
    return loan.outstanding_principal + loan.outstanding_interest + loan.outstanding_penalty


def test_a_statement_with_a_payment_and_a_bounce(ledger_chart, borrower, borrower_client, officer_client):
    loan = make_loan(borrower, amount="100000.00")
    first = loan.installments.get(number=1)
    close_day(days_after(loan, 1, 0))  # the first installment's interest falls due
    emi_bounce(installment_id=first.pk, code="01", actor=None)
    emi_pay(installment_id=first.pk, actor=borrower, amount=Decimal("5000.00"))

    answer = borrower_client.get(f"/api/v1/loans/{loan.pk}/statement")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["loan_id"] == str(loan.pk) and body["opening_balance"] == "0.00"
    assert body["from"] == loan.disbursed_on.isoformat() and body["to"] == get_business_date().isoformat()
    kinds = [line["description"].split(":")[0] for line in body["lines"]]
    assert kinds == ["Loan disbursed", "Interest for the installment due", "Bounce charge", "Payment received"]
    disbursed, interest, bounce, paid = body["lines"]
    assert (disbursed["debit"], disbursed["credit"], disbursed["balance"]) == ("75000.00", "0.00", "75000.00")
    assert Decimal(interest["debit"]) == first.interest_due
    charge = loan.product.bounce_charge
    assert Decimal(bounce["debit"]) == charge + gst_on(charge, loan.product.gst_rate_pct)  # with its GST
    assert paid["credit"] == "5000.00"
    running = Decimal(0)
    for line in body["lines"]:
        running += Decimal(line["debit"]) - Decimal(line["credit"])
        assert Decimal(line["balance"]) == running
    assert Decimal(body["closing_balance"]) == _owed(loan)

    # A window: the opening balance is what was owed before it.
    window = borrower_client.get(f"/api/v1/loans/{loan.pk}/statement?from={get_business_date()}").json()
    assert window["opening_balance"] == disbursed["balance"]  # the interest fell due today: inside
    assert window["closing_balance"] == body["closing_balance"]
    # Ops read it too; the PDF is a signed link.
    pdf = officer_client.get(f"/api/v1/loans/{loan.pk}/statement?format=pdf").json()
    assert set(pdf) == {"url", "expires_at", "sha256"} and len(pdf["sha256"]) == 64
    assert b"".join(borrower_client.get(pdf["url"]).streaming_content).startswith(b"%PDF")


def test_bad_windows_are_a_400_naming_the_field(ledger_chart, borrower, borrower_client):
    loan = make_loan(borrower)
    url = f"/api/v1/loans/{loan.pk}/statement"
    for query, field in (("from=2026-13-01", "from"), ("to=yesterday", "to"), ("format=xls", "format")):
        answer = borrower_client.get(f"{url}?{query}")
        assert answer.status_code == 400 and field in answer.json()["errors"], answer.content
    backwards = borrower_client.get(f"{url}?from=2026-06-02&to=2026-06-01")
    assert backwards.status_code == 400 and "from" in str(backwards.json())


def test_another_borrowers_loan_is_a_404(ledger_chart, borrower_client):
    assert borrower_client.get(f"/api/v1/loans/{make_loan().pk}/statement").status_code == 404


STEP = st.one_of(
    st.tuples(st.just("pay"), st.decimals(min_value=Decimal("1.00"), max_value=Decimal("20000.00"), places=2)),
    st.tuples(st.just("prepay"), st.decimals(min_value=Decimal("1.00"), max_value=Decimal("30000.00"), places=2)),
    st.tuples(st.just("bounce"), st.none()),
    st.tuples(st.just("day"), st.integers(min_value=1, max_value=40)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=8))
def test_the_closing_balance_is_what_the_loan_owes_after_any_workload(ledger_chart, steps):
    loan = make_loan()
    day = get_business_date()
    for kind, value in steps:
        loan.refresh_from_db()
        if loan.status == Loan.Status.CLOSED:
            break
        unpaid = loan.installments.exclude(status="PAID").order_by("number").first()
        try:
            if kind == "pay":
                emi_pay(installment_id=unpaid.pk, actor=loan.borrower, amount=value)
            elif kind == "prepay":
                loan_prepay(loan_id=loan.pk, actor=loan.borrower, amount=value)
            elif kind == "bounce":
                emi_bounce(installment_id=unpaid.pk, code="01", actor=None)
            else:
                day += datetime.timedelta(days=value)
                close_day(day)
        except Exception as exc:  # noqa: BLE001 (a refused step, e.g. paying more than is owed, changes nothing)
            assert getattr(exc, "status_code", 500) < 500, exc
    statement = loan_statement(loan=loan, date_from=None, date_to=None)
    assert statement.closing_balance == _owed(loan)
    assert statement.opening_balance + sum(m["debit"] - m["credit"] for m in statement.lines) == _owed(loan)


def test_an_emi_paid_before_its_interest_fell_due_shows_every_rupee_paid(ledger_chart, borrower, borrower_client):
    loan = make_loan(borrower, amount="100000.00")
    first = loan.installments.get(number=1)
    emi_pay(installment_id=first.pk, actor=borrower)  # the whole EMI, before any close of business
    lines = borrower_client.get(f"/api/v1/loans/{loan.pk}/statement").json()["lines"]
    assert [(line["description"].split(":")[0], line["debit"], line["credit"]) for line in lines] == [
        ("Loan disbursed", "75000.00", "0.00"),
        ("Interest charged with the payment", f"{first.interest_due:.2f}", "0.00"),
        ("Payment received", "0.00", "13089.77"),
    ]
    assert Decimal(lines[-1]["balance"]) == _owed(loan)


def test_a_name_the_pdf_font_cannot_print_still_gives_a_statement(ledger_chart, borrower, borrower_client):
    from apps.kyc.models import Business

    loan = make_loan(borrower)
    Business.objects.filter(pk=loan.business_id).update(legal_name="श्री गणेश Traders \u2013 Pune")
    answer = borrower_client.get(f"/api/v1/loans/{loan.pk}/statement?format=pdf")
    assert answer.status_code == 200 and len(answer.json()["sha256"]) == 64
