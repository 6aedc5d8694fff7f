import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from apps.ledger import chart
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import ledger_summary, loan_balances
from apps.loans.models import Loan
from apps.repayments.models import LoanClassificationHistory
from apps.repayments.selectors import outstanding_by_ledger
from apps.repayments.services import emi_pay
from tests.support.days import close_day, days_after
from tests.support.lending import make_loan
from tests.support.users import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("days", "dpd", "classification", "status"),
    [
        (0, 0, "STANDARD", "ACTIVE"),
        (1, 1, "SMA_0", "OVERDUE"),
        (30, 30, "SMA_0", "OVERDUE"),
        (31, 31, "SMA_1", "OVERDUE"),
        (60, 60, "SMA_1", "OVERDUE"),
        (61, 61, "SMA_2", "OVERDUE"),
        (90, 90, "SMA_2", "OVERDUE"),
        (91, 91, "NPA", "DEFAULTED"),
    ],
)
def test_each_dpd_boundary(loan, days, dpd, classification, status):
    close_day(days_after(loan, 1, days))
    loan.refresh_from_db()
    assert (loan.dpd, loan.asset_classification, loan.status) == (dpd, classification, status)


def test_interest_falls_due_on_the_due_date_once(loan):
    day = days_after(loan, 1, 0)
    counts = close_day(day)
    assert counts["installments_accrued"] == 1 and counts["interest_entries"] == 1
    loan.refresh_from_db()
    assert loan.outstanding_interest == Decimal("1000.00")
    assert loan_balances(loan.pk)[chart.INTEREST_RECEIVABLE] == Decimal("1000.00")
    again = close_day(day)
    assert again["installments_accrued"] == 0 and again["classification_changes"] == 0
    loan.refresh_from_db()
    assert loan.outstanding_interest == Decimal("1000.00")


def test_npa_is_borrower_wide_and_upgraded_only_when_every_arrear_is_paid(borrower):
    first = make_loan(borrower)
    second = make_loan(borrower)
    close_day(days_after(first, 1, 91))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.asset_classification == second.asset_classification == "NPA"
    assert first.status == second.status == Loan.Status.DEFAULTED
    # Paying the oldest arrear alone leaves others past due: still NPA.
    emi_pay(installment_id=first.installments.get(number=1).pk, actor=borrower)
    day = days_after(first, 1, 92)
    close_day(day)
    first.refresh_from_db()
    assert first.dpd > 0 and first.asset_classification == "NPA"
    for loan in (first, second):
        for installment in loan.installments.filter(due_date__lt=day).exclude(status="PAID"):
            emi_pay(installment_id=installment.pk, actor=borrower)
    close_day(day)
    for loan in (first, second):
        loan.refresh_from_db()
        assert (loan.dpd, loan.asset_classification, loan.status) == (0, "STANDARD", Loan.Status.ACTIVE)
    changes = list(
        LoanClassificationHistory.objects.filter(loan=first)
        .order_by("id")
        .values_list("from_classification", "to_classification")
    )
    assert changes[0] == ("STANDARD", "NPA") and changes[-1] == ("NPA", "STANDARD")


def test_interest_of_an_npa_loan_goes_to_suspense_and_back_to_income_when_paid(borrower):
    loan = make_loan(borrower)
    close_day(days_after(loan, 1, 0))  # 1,000.00 accrued as income
    close_day(days_after(loan, 1, 91))  # NPA: reversed into suspense; later interest straight to suspense
    loan.refresh_from_db()
    assert loan.asset_classification == "NPA"
    assert loan.interest_suspense == loan.outstanding_interest > Decimal("1000.00")
    balances = loan_balances(loan.pk)
    assert balances[chart.INTEREST_SUSPENSE] == -loan.interest_suspense
    assert balances.get(chart.INTEREST_INCOME, Decimal(0)) == Decimal(0)
    emi_pay(installment_id=loan.installments.get(number=1).pk, actor=borrower)
    loan.refresh_from_db()
    assert loan_balances(loan.pk)[chart.INTEREST_INCOME] == Decimal("-1000.00")  # realised on payment
    assert outstanding_by_ledger(loan)["interest"] == loan.outstanding_interest
    assert ledger_summary()["balanced"]


def _state(loans):
    rows = []
    for loan in loans:
        loan.refresh_from_db()
        rows.append(
            (
                loan.dpd,
                loan.asset_classification,
                loan.status,
                loan.outstanding_interest,
                loan.interest_suspense,
                tuple(sorted(loan_balances(loan.pk).items())),
                tuple(loan.installments.order_by("number").values_list("status", "interest_accrued")),
            )
        )
    return rows


def _history(loans):
    index = {loan.pk: n for n, loan in enumerate(loans)}
    history = LoanClassificationHistory.objects.filter(loan__in=loans).order_by("business_date", "loan_id")
    entries = JournalEntry.objects.filter(loan_id__in=index).order_by("business_date", "entry_type", "loan_id")
    return (
        [(index[h.loan_id], h.business_date, h.from_classification, h.to_classification, h.dpd) for h in history],
        [(index[e.loan_id], e.business_date, e.entry_type) for e in entries],
    )


def test_jumping_several_days_equals_running_day_by_day(borrower):
    loans = [make_loan(borrower), make_loan(make_user())]
    start = days_after(loans[0], 1, -2)
    end = days_after(loans[0], 1, 95)  # through every SMA bucket into NPA, suspense and later interest
    close_day(start)
    with transaction.atomic():
        day = start + datetime.timedelta(days=1)
        while day <= end:
            close_day(day)
            day += datetime.timedelta(days=1)
        day_by_day = (_state(loans), _history(loans))
        transaction.set_rollback(True)
    counts = close_day(end)
    assert counts["days_closed"] == (end - start).days
    assert (_state(loans), _history(loans)) == day_by_day
    assert [h[3] for h in day_by_day[1][0] if h[0] == 0] == ["SMA_0", "SMA_1", "SMA_2", "NPA"]
    assert loans[0].asset_classification == "NPA" and loans[0].interest_suspense > 0


def test_a_first_close_closes_only_its_own_day(loan):
    counts = close_day(days_after(loan, 1, 0))
    assert counts["days_closed"] == 1


def test_an_npa_with_a_bounce_charge_unpaid_is_not_upgraded_until_it_is_paid(borrower):
    from apps.repayments.services import emi_bounce

    loan = make_loan(borrower)
    day = days_after(loan, 1, 91)
    close_day(day)
    future = loan.installments.filter(due_date__gt=day).order_by("number").first()
    emi_bounce(installment_id=future.pk, code="04", actor=None)
    for installment in loan.installments.filter(due_date__lt=day).order_by("number"):
        emi_pay(installment_id=installment.pk, actor=borrower)
    close_day(day)
    loan.refresh_from_db()
    assert (loan.dpd, loan.asset_classification, loan.status) == (0, "NPA", Loan.Status.DEFAULTED)
    assert loan.outstanding_penalty > 0
    emi_pay(installment_id=future.pk, actor=borrower)
    close_day(day)
    loan.refresh_from_db()
    assert (loan.outstanding_penalty, loan.asset_classification, loan.status) == (0, "STANDARD", Loan.Status.ACTIVE)


def test_a_loan_defaulted_by_override_or_a_second_bounce_stays_defaulted_overnight(borrower):
    from apps.loans.services.override import loan_override
    from apps.repayments.services import emi_bounce

    overridden, bounced = make_loan(borrower), make_loan(make_user())
    loan_override(loan_id=overridden.pk, status="DEFAULTED", reason="fraud confirmed by the branch", actor=None)
    first = bounced.installments.get(number=1)
    emi_bounce(installment_id=first.pk, code="04", actor=None)
    emi_bounce(installment_id=first.pk, code="04", actor=None)
    emi_pay(installment_id=first.pk, actor=bounced.borrower)  # every arrear and charge paid
    close_day(days_after(overridden, 1, -1))
    for loan in (overridden, bounced):
        loan.refresh_from_db()
        assert (loan.status, loan.dpd, loan.asset_classification) == (Loan.Status.DEFAULTED, 0, "STANDARD")


def test_a_bounce_charge_on_an_npa_loan_is_suspense_until_it_is_paid(borrower):
    """Like its interest and penal charges, an NPA loan's bounce charge is income only as it is
    paid; its GST is owed either way."""
    from apps.repayments.services import emi_bounce

    loan = make_loan(borrower)
    day = days_after(loan, 1, 91)
    close_day(day)
    loan.refresh_from_db()
    assert loan.asset_classification == "NPA" and loan.penal_suspense == 0  # that night's charge was income

    def penal_income():
        return -loan_balances(loan.pk).get(chart.PENAL_INCOME, Decimal(0))

    income = penal_income()
    future = loan.installments.filter(due_date__gt=day).order_by("number").first()
    bounce = emi_bounce(installment_id=future.pk, code="04", actor=None)
    entry = JournalEntry.objects.get(pk=bounce.journal_entry_id)
    credits = {line.account_id: line.credit for line in entry.lines.all() if line.credit}
    assert credits == {chart.PENAL_SUSPENSE: bounce.charge, chart.GST_PAYABLE: bounce.gst}
    loan.refresh_from_db()
    assert loan.penal_suspense == bounce.charge and penal_income() == income
    # Paid: the charge moves from suspense to income; the GST stays owed to the government.
    emi_pay(installment_id=future.pk, actor=borrower)
    loan.refresh_from_db()
    assert loan.penal_suspense == 0 and penal_income() == income + bounce.charge
    assert loan_balances(loan.pk).get(chart.PENAL_SUSPENSE, Decimal(0)) == 0
    assert ledger_summary()["balanced"]
