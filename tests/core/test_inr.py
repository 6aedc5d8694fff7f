"""Indian money formatting (apps/core/inr.py): lakh/crore grouping, exact to the paisa."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from apps.core.inr import group_indian, inr, inr_short
from apps.core.money import round_money


@pytest.mark.parametrize(
    "amount, text",
    [
        ("339578.81", "₹3,39,578.81"),
        ("0", "₹0.00"),
        ("5", "₹5.00"),
        ("999.995", "₹1,000.00"),
        ("1000", "₹1,000.00"),
        ("100000", "₹1,00,000.00"),
        ("12345678.9", "₹1,23,45,678.90"),
        ("1234567890123.45", "₹12,34,56,78,90,123.45"),
        ("-1200", "-₹1,200.00"),
        (None, "—"),
    ],
)
def test_full_form(amount, text):
    assert inr(amount) == text


@pytest.mark.parametrize(
    "amount, text",
    [
        ("85000.49", "₹85,000"),
        ("85000.50", "₹85,001"),
        ("99999.50", "₹1.00 L"),
        ("339578.81", "₹3.40 L"),
        ("42000000", "₹4.20 Cr"),
        ("1234567890", "₹123.46 Cr"),
        ("-250000", "-₹2.50 L"),
        (None, "—"),
    ],
)
def test_short_form(amount, text):
    assert inr_short(amount) == text


@given(st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), allow_nan=False, places=4))
def test_full_form_reads_back_as_the_amount_to_the_paisa(amount):
    text = inr(amount)
    digits = text.replace("₹", "").replace(",", "")
    assert Decimal(digits) == round_money(amount)
    rupees = text.split("₹")[1].split(".")[0]
    groups = rupees.split(",")
    # Indian grouping: three digits at the right, pairs before them, one or two at the head.
    assert len(groups[-1]) <= 3 and all(len(g) == 2 for g in groups[1:-1]) and 1 <= len(groups[0]) <= 3


def test_grouping():
    assert group_indian("1") == "1"
    assert group_indian("1234") == "1,234"
    assert group_indian("123456") == "1,23,456"
    assert group_indian("1234567") == "12,34,567"


def test_template_filters():
    html = Template("{% load inr %}{{ a|inr }} {{ a|inr_short }}").render(Context({"a": Decimal("339578.81")}))
    assert html == "₹3,39,578.81 ₹3.40 L"
