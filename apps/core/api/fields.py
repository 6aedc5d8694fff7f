"""Serializer fields: rupees and dates (the one DRF money type of every app), and flat lists.

`MoneyOutputField` writes an amount out as a string with two decimals ("1500.00"); `MoneyField`
reads one in. Their digits come from `apps.core.money`, which does not import DRF (every
models.py imports it), so the dependency runs one way: API fields -> money policy.

Input is strict on purpose. DRF's DecimalField reads `""` as "not given" on an optional field (a blank
amount paid the whole installment) and Python's Decimal reads full-width digits, `"1_0"`, `"1e-2"` and
`"5."`; its DateField takes the year 631 and writes it back as "631-05-05".
"""

import datetime

from rest_framework import serializers

from apps.core.money import MONEY_DECIMALS, MONEY_DIGITS, RUPEES_TEXT

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2099, 12, 31)


class MoneyOutputField(serializers.DecimalField):
    """Rupees out, as a string with two decimals. A sum over many rows (an account's totals, the
    portfolio) takes `max_digits=TOTAL_DIGITS`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMALS)
        super().__init__(**kwargs)


class MoneyField(MoneyOutputField):
    """Rupees in, with at most two decimals, as a string ("1500.00") or a JSON number."""

    default_error_messages = {
        "rupees": 'An amount in rupees: digits with at most two decimals, e.g. "1500.00".',
        "blank": "An amount is required; leave the field out instead of sending it blank.",
    }

    def validate_empty_values(self, data):
        if isinstance(data, str) and not data.strip():
            self.fail("blank")
        return super().validate_empty_values(data)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("rupees")
        text = data if isinstance(data, str) else str(data)
        if not RUPEES_TEXT.fullmatch(text):
            self.fail("rupees")
        return super().to_internal_value(text)


class DateField(serializers.DateField):
    """An ISO date between 1900 and 2099: nothing in lending lies outside, and a year below 1000
    cannot even be written back as YYYY-MM-DD."""

    default_error_messages = {
        "range": f"A date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}.",
    }

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            self.fail("range")
        return date


class FlatListField(serializers.ListField):
    """A ListField whose item errors are one flat list under the field's name, the shape every
    other error body has (`{"errors": {"banks": ["..."]}}`); DRF's own keys them by position."""

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            messages = [m for errors in detail.values() for m in errors] if isinstance(detail, dict) else detail
            raise serializers.ValidationError(messages) from None
