import datetime
import random
from decimal import Decimal

import pytest

from apps.collections.services import recovery_allowed, recovery_complete, recovery_initiate
from apps.ledger.balances import find_drift
from apps.ledger.selectors import ledger_summary
from apps.loans.models import Loan
from apps.repayments.selectors import foreclosure_quote, outstanding_by_ledger
from apps.repayments.services import emi_bounce, emi_pay, loan_foreclose, loan_prepay
from apps.reports.selectors import portfolio_summary
from tests.support.days import close_day, days_after
from tests.support.lending import make_loan
from tests.support.users import make_user

pytestmark = pytest.mark.django_db


def test_portfolio_summary_is_computed_from_the_book(admin_client, borrower):
    good = make_loan(borrower)
    bad = make_loan(make_user())
    emi_pay(installment_id=good.installments.get(number=1).pk, actor=borrower)
    close_day(days_after(bad, 1, 91))
    body = admin_client.get("/api/v1/admin/portfolio/summary").json()
    good.refresh_from_db()
    bad.refresh_from_db()
    assert Decimal(body["aum"]) == good.outstanding_principal + bad.outstanding_principal
    assert body["active_loans"] == 2
    assert Decimal(body["npa_amount"]) == bad.outstanding_principal
    assert body["by_classification"]["NPA"]["count"] == 1
    assert body["by_dpd_bucket"]["90+"]["count"] == 1
    assert sum(bucket["count"] for bucket in body["risk_distribution"].values()) == 2
    by_grade: dict = {}
    for loan in (good, bad):
        assert loan.credit_grade == loan.offer.credit_grade != ""  # copied at sanction
        group = by_grade.setdefault(loan.credit_grade, {"count": 0, "amount": Decimal(0)})
        group["count"] += 1
        group["amount"] += loan.outstanding_principal
    assert {
        grade: {"count": g["count"], "amount": Decimal(g["amount"])} for grade, g in body["risk_distribution"].items()
    } == by_grade
    ratio = (bad.outstanding_principal / (good.outstanding_principal + bad.outstanding_principal)).quantize(
        Decimal("0.0001")
    )
    assert Decimal(body["npa_ratio"]) == ratio


def test_loans_sanctioned_before_the_grade_was_copied_take_their_offers_grade(borrower):
    import importlib

    from django.db import connection

    fill = importlib.import_module("apps.loans.migrations.0022_fill_loan_credit_grade").FILL
    loan = make_loan(borrower)
    Loan.objects.filter(pk=loan.pk).update(credit_grade="")
    # Before the fill (a loan sanctioned during a rolling deploy): the summary reads its offer.
    assert list(portfolio_summary()["risk_distribution"]) == [loan.offer.credit_grade]
    with connection.cursor() as cursor:
        cursor.execute(fill)
    loan.refresh_from_db()
    assert loan.credit_grade == loan.offer.credit_grade != ""


@pytest.mark.parametrize("seed", [20261122, 7, 42])
def test_every_loan_reconciles_to_its_ledger_lines_after_a_random_workload(officer, seed):
    rng = random.Random(seed)
    borrowers = [make_user() for _ in range(3)]
    loans = [make_loan(rng.choice(borrowers)) for _ in range(5)]
    day = days_after(loans[0], 1, -3)
    for _ in range(12):
        day = day + datetime.timedelta(days=rng.choice([1, 5, 17, 31]))
        close_day(day)
        for loan in loans:
            loan.refresh_from_db()
            if loan.status not in ("ACTIVE", "OVERDUE", "DEFAULTED"):
                continue
            open_items = list(loan.installments.exclude(status="PAID").order_by("number"))
            if not open_items:
                continue
            installment = open_items[0]
            action = rng.random()
            if action < 0.5:
                emi_pay(
                    installment_id=installment.pk,
                    actor=loan.borrower,
                    amount=min(installment.owed, Decimal(rng.randint(1, 20000))),
                )
            elif action < 0.6:
                emi_bounce(installment_id=installment.pk, code="04", actor=officer)
            elif action < 0.72 and loan.status != "DEFAULTED" and loan.outstanding_principal > 1000:
                loan_prepay(loan_id=loan.pk, actor=loan.borrower, amount=Decimal(rng.randint(100, 1000)))
            elif action < 0.74 and loan.status != "DEFAULTED":
                loan_foreclose(loan_id=loan.pk, actor=loan.borrower, amount=foreclosure_quote(loan).total)
            elif action < 0.8 and recovery_allowed(loan):
                recovery = recovery_initiate(loan_id=loan.pk, action_type="SETTLEMENT", notes="", actor=officer)
                recovery_complete(
                    action_id=recovery.pk,
                    recovered_amount=Decimal(rng.randint(1, 5000)),
                    write_off_remaining=rng.random() < 0.5,
                    actor=officer,
                )
    assert find_drift() == []  # every snapshot, per account and per loan, equals the journal
    for loan in Loan.objects.all():
        assert outstanding_by_ledger(loan) == {
            "principal": loan.outstanding_principal,
            "interest": loan.outstanding_interest,
            "penalty": loan.outstanding_penalty,
        }, loan.pk
    assert ledger_summary()["balanced"]
