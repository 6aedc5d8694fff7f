from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.core.money import round_money, split_amount


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
