from decimal import Decimal

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from apps.core.api.fields import MoneyField as MoneyInputField
from apps.core.api.fields import MoneyOutputField
from apps.core.money import TOTAL_DIGITS, ZERO, LedgerAmountField, MoneyField, gst_on, round_money, split_amount


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("-1.005", "-1.01"), ("2.675", "2.68"), (3, "3.00"), ("0.0049", "0.00")],
)
def test_round_money_is_half_up_to_paise(raw, expected):
    assert round_money(raw) == Decimal(expected)


def test_round_money_refuses_float():
    with pytest.raises(TypeError):
        round_money(1.1)


def test_split_gives_leftover_paise_to_largest_remainders():
    assert split_amount("100.00", [1, 1, 1]) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert split_amount("10.00", [3, 7]) == [Decimal("3.00"), Decimal("7.00")]


@given(
    total=st.decimals(min_value=0, max_value=10**9, places=2),
    weights=st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=12),
)
def test_split_parts_always_add_back_to_the_whole(total, weights):
    parts = split_amount(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    assert all(p == round_money(p) for p in parts)


@pytest.mark.parametrize(
    ("amount", "rate_pct", "expected"),
    [
        ("999.99", "18.00", "180.00"),  # 179.9982
        ("500.00", "18.00", "90.00"),
        ("0.25", "18.00", "0.05"),  # 0.045: half-up, where half-even would give 0.04
        ("5.25", "18.00", "0.95"),  # 0.945
        ("2.75", "18.00", "0.50"),  # 0.495
        ("0.02", "18.00", "0.00"),  # 0.0036
        ("0.03", "18.00", "0.01"),  # 0.0054
        ("1234.56", "12.00", "148.15"),  # 148.1472
        ("999.99", 0, "0.00"),
        (0, "18.00", "0.00"),
    ],
)
def test_gst_on_is_rounded_half_up_to_the_paisa(amount, rate_pct, expected):
    gst = gst_on(Decimal(amount) if isinstance(amount, str) else amount, Decimal(rate_pct))
    assert gst == Decimal(expected)
    assert str(gst) == expected  # always two places, also for zero


def test_gst_on_refuses_float():
    with pytest.raises(TypeError):
        gst_on(999.99, Decimal("18.00"))
    with pytest.raises(TypeError):
        gst_on(Decimal("999.99"), 18.0)


def test_zero_is_zero_rupees_and_paise():
    assert str(ZERO) == "0.00"


def test_money_field_deconstructs_as_the_plain_decimal_field_of_the_migrations():
    _name, path, args, kwargs = MoneyField(default=ZERO, help_text="owed").deconstruct()
    assert path == "django.db.models.DecimalField"
    assert args == []
    assert kwargs == {"max_digits": 18, "decimal_places": 2, "default": ZERO, "help_text": "owed"}


def test_ledger_amount_field_deconstructs_with_four_decimals():
    assert LedgerAmountField(default=ZERO).deconstruct()[1:] == (
        "django.db.models.DecimalField",
        [],
        {"max_digits": 18, "decimal_places": 4, "default": ZERO},
    )
    assert LedgerAmountField(max_digits=22).deconstruct()[3] == {"max_digits": 22, "decimal_places": 4}


def test_a_cloned_money_field_keeps_its_type_and_digits():
    clone = MoneyField(null=True).clone()
    assert type(clone) is MoneyField
    assert (clone.max_digits, clone.decimal_places, clone.null) == (18, 2, True)


@pytest.mark.django_db
def test_models_need_no_new_migration():
    """The money fields deconstruct to the DecimalFields the migrations already hold."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_money_goes_out_as_a_two_decimal_string_with_the_columns_digits():
    assert MoneyOutputField().to_representation(Decimal("1500")) == "1500.00"
    assert MoneyOutputField().to_representation(ZERO) == "0.00"
    assert (MoneyOutputField().max_digits, MoneyOutputField().decimal_places) == (18, 2)
    assert (MoneyInputField().max_digits, MoneyInputField().decimal_places) == (18, 2)
    # A total of the whole book may need more whole digits than one amount.
    assert MoneyOutputField(max_digits=TOTAL_DIGITS).to_representation(Decimal("12345678901234567890.5")) == (
        "12345678901234567890.50"
    )
