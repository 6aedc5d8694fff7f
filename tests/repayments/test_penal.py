"""Penal charges at the close of business: penal_rate_pct / 365 a day on the overdue EMI,
simple, to the paisa, once per date; income for a standard loan, suspense for an NPA one until
paid; a waiver of suspended charges empties the suspense; the ledger balances throughout."""

import datetime
from decimal import Decimal

import pytest

from apps.ledger import chart
from apps.ledger.balances import find_drift
from apps.ledger.models import JournalEntry, JournalLine
from apps.ledger.selectors import ledger_summary, loan_journal_balances
from apps.repayments.close_of_business import close_of_business
from apps.repayments.penal import penal_charge
from apps.repayments.services import emi_pay
from apps.repayments.services.waivers import charge_waive
from tests.support.days import close_day, days_after, set_day
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _penal_lines(loan, account):
    return JournalLine.objects.filter(loan_id=loan.pk, account_id=account, entry__entry_type="PENAL_CHARGE")


def test_ten_nights_overdue_to_the_paisa_and_a_rerun_adds_nothing(ledger_chart, borrower):
    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    assert (first.principal_due + first.interest_due, loan.product.penal_rate_pct) == (
        Decimal("13089.77"),
        Decimal("24.00"),
    )
    close_day(first.due_date)
    for night in range(1, 11):
        close_day(first.due_date + night * DAY)
    first.refresh_from_db()
    loan.refresh_from_db()
    # 13,089.77 x 24% / 365 = 8.6070 a day, 8.61 each night: simple, never on the charge itself.
    assert first.penalty_due == Decimal("86.10") == 10 * penal_charge(Decimal("13089.77"), Decimal("24.00"), 1)
    assert first.penal_accrued_through == first.due_date + 10 * DAY
    assert loan.outstanding_penalty == Decimal("86.10") and loan.penal_suspense == 0
    # One entry a night, Dr charges receivable / Cr penal income; no GST on a penal charge.
    assert JournalEntry.objects.filter(loan_id=loan.pk, entry_type="PENAL_CHARGE").count() == 10
    income = _penal_lines(loan, chart.PENAL_INCOME)
    assert sum(line.credit for line in income) == Decimal("86.10")
    assert not JournalLine.objects.filter(
        loan_id=loan.pk, account_id=chart.GST_PAYABLE, entry__entry_type="PENAL_CHARGE"
    )

    # The same date again: nothing more.
    counts = close_of_business(first.due_date + 10 * DAY)
    assert counts["installments_penal_charged"] == 0 and counts["penal_entries"] == 0
    first.refresh_from_db()
    assert first.penalty_due == Decimal("86.10")
    assert ledger_summary()["balanced"] and find_drift() == []


def test_a_part_payment_lowers_the_base_and_a_skipped_night_is_caught_up(ledger_chart, borrower):
    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    close_day(first.due_date)
    close_day(first.due_date + DAY)  # 8.61 on 13,089.77
    emi_pay(installment_id=first.pk, actor=borrower, amount=Decimal("8089.77"))  # 8.61 charges, then the EMI
    first.refresh_from_db()
    overdue = first.principal_due + first.interest_due - first.principal_paid - first.interest_paid
    assert overdue == Decimal("5008.61")
    # The business date jumps three days: the next night charges all three, on the lower base.
    first_night_after = close_of_business(first.due_date + 4 * DAY)
    first.refresh_from_db()
    assert first_night_after["installments_penal_charged"] == 1
    assert first.penalty_due == Decimal("8.61") + penal_charge(overdue, Decimal("24.00"), 3)
    assert penal_charge(overdue, Decimal("24.00"), 3) == Decimal("9.87")  # 3 x 3.29 (5,008.61 x 24% / 365)


def test_an_npa_loan_s_charges_wait_in_suspense_until_paid_or_waived(ledger_chart, borrower, officer):
    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    close_day(days_after(loan, 1, 1))
    close_day(days_after(loan, 1, 91))  # NPA at the close of day 91
    loan.refresh_from_db()
    assert loan.asset_classification == "NPA"
    income_before = sum(line.credit for line in _penal_lines(loan, chart.PENAL_INCOME))
    close_day(days_after(loan, 1, 92))
    close_day(days_after(loan, 1, 93))
    loan.refresh_from_db()
    suspended = sum(line.credit for line in _penal_lines(loan, chart.PENAL_SUSPENSE))
    assert suspended > 0 and loan.penal_suspense == suspended
    assert sum(line.credit for line in _penal_lines(loan, chart.PENAL_INCOME)) == income_before

    # Part of the charges waived: from the suspense first, never booked as an expense.
    first.refresh_from_db()
    charge_waive(
        installment_id=first.pk, amount=Decimal("1.00"), reason="goodwill gesture on a hardship call", actor=officer
    )
    loan.refresh_from_db()
    assert loan.penal_suspense == suspended - Decimal("1.00")
    waiver = JournalLine.objects.filter(loan_id=loan.pk, entry__entry_type="WAIVER")
    assert {(line.account_id, line.debit) for line in waiver if line.debit} == {(chart.PENAL_SUSPENSE, Decimal("1.00"))}

    # Paid: the rest moves from suspense to income.
    first.refresh_from_db()
    emi_pay(installment_id=first.pk, actor=borrower, amount=first.penalty_due - first.penalty_paid)
    loan.refresh_from_db()
    assert loan.penal_suspense == 0
    assert loan_journal_balances(loan.pk).get(chart.PENAL_SUSPENSE, Decimal(0)) == 0
    assert ledger_summary()["balanced"] and find_drift() == []


def test_installments_overdue_at_go_live_are_charged_from_then_not_from_their_due_date(ledger_chart, borrower):
    import importlib

    from django.apps import apps as django_apps
    from django.db import connection

    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    set_day(first.due_date + 60 * DAY)  # sixty days overdue when penal charges go live
    migration = importlib.import_module("apps.loans.migrations.0018_penal_charges_start_at_go_live")
    with connection.schema_editor() as editor:
        migration.start_at_go_live(django_apps, editor)
    first.refresh_from_db()
    assert first.penal_accrued_through == first.due_date + 60 * DAY
    close_day(first.due_date + 61 * DAY)
    first.refresh_from_db()
    assert first.penalty_due == Decimal("8.61")  # one night's charge, not sixty-one
