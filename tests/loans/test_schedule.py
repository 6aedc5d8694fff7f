import datetime
from decimal import Decimal

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.core.money import round_money
from apps.loans.schedule import InterestMethod, add_months, build_schedule, emi_amount

HALF_PAISA = Decimal("0.005") + Decimal("1e-9")
principals = st.decimals(min_value=Decimal("1000.00"), max_value=Decimal("50000000.00"), places=2)
rates = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("48.00"), places=2)
tenures = st.integers(min_value=1, max_value=120)
dates = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 12, 31))


def test_known_schedule_to_the_paisa():
    # 1,00,000 at 12 % for 12 months: EMI 8,884.88 (the textbook figure).
    lines = build_schedule(
        InterestMethod.REDUCING_BALANCE, Decimal("100000.00"), Decimal("12"), 12, datetime.date(2026, 1, 15)
    )
    assert emi_amount(Decimal("100000"), Decimal("12"), 12) == Decimal("8884.88")
    assert [line.interest for line in lines[:3]] == [Decimal("1000.00"), Decimal("921.15"), Decimal("841.51")]
    assert lines[0].principal == Decimal("7884.88")
    assert sum(line.principal for line in lines) == Decimal("100000.00")
    assert lines[-1].amount == Decimal("8884.85")
    assert lines[0].due_date == datetime.date(2026, 2, 15)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2028, 1, 31), 1, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 1, 31), 2, datetime.date(2026, 3, 31)),
        (datetime.date(2026, 1, 30), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 5, 31), 1, datetime.date(2026, 6, 30)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_due_dates_do_not_drift_after_a_short_month():
    lines = build_schedule(
        InterestMethod.REDUCING_BALANCE, Decimal("50000"), Decimal("18"), 3, datetime.date(2025, 12, 31)
    )
    assert [line.due_date for line in lines] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
    ]


@settings(max_examples=300, deadline=None)
@given(principal=principals, rate=rates, months=tenures, start=dates)
def test_reducing_balance_agrees_with_numpy_financial(principal, rate, months, start):
    lines = build_schedule(InterestMethod.REDUCING_BALANCE, principal, rate, months, start)
    i, p = np.float64(str(rate)) / 1200, np.float64(str(principal))
    emi = emi_amount(principal, rate, months)
    if rate > 0:
        # To the paisa: our EMI is numpy's pmt rounded half-up. Compared as a distance, since a
        # float can land a hair below an exact half paisa (1000.475 → 1000.4749999...).
        assert abs(emi - Decimal(-npf.pmt(i, months, p))) <= HALF_PAISA
    assert sum(line.principal for line in lines) == principal
    assert all(line.principal >= 0 and line.interest >= 0 for line in lines)
    assert all(line.amount == emi for line in lines[:-1])
    assert all(
        line.interest == round_money(line.interest) and line.principal == round_money(line.principal) for line in lines
    )
    # Per-period interest tracks numpy-financial's ipmt; paise rounding of each period may
    # accumulate, but never beyond a paisa per period elapsed.
    for line in lines:
        expected = Decimal(-npf.ipmt(i, line.number, months, p)) if rate > 0 else Decimal(0)
        assert abs(line.interest - expected) <= Decimal("0.01") * line.number + Decimal("0.005")
    # Principal tracks ppmt the same way, except the last line, which absorbs every rounding
    # so that the principal repaid is exact (asserted above).
    for line in lines[:-1]:
        principal_part = Decimal(-npf.ppmt(i, line.number, months, p)) if rate > 0 else principal / months
        assert abs(line.principal - principal_part) <= Decimal("0.01") * line.number + Decimal("0.005")


@settings(max_examples=100, deadline=None)
@given(
    principal=principals,
    rate=rates,
    months=tenures,
    start=dates,
    method=st.sampled_from([InterestMethod.FLAT, InterestMethod.BULLET]),
)
def test_other_methods_repay_principal_exactly(principal, rate, months, start, method):
    lines = build_schedule(method, principal, rate, months, start)
    assert len(lines) == months
    assert sum(line.principal for line in lines) == principal
    assert all(line.principal >= 0 and line.interest >= 0 for line in lines)


def test_disbursed_on_the_31st_keeps_month_ends_after_february():
    lines = build_schedule(
        InterestMethod.REDUCING_BALANCE, Decimal("50000"), Decimal("18"), 3, datetime.date(2027, 1, 31)
    )
    assert [line.due_date for line in lines] == [
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 31),
        datetime.date(2027, 4, 30),
    ]
