"""The one money policy: Decimal only, rounded half-up to paise in one place.

Also the column types that hold money, so a precision is spelled once: `MoneyField` for
customer-facing rupees (numeric(18, 2)) and `LedgerAmountField` for the journal (numeric(18, 4)).
The serializer fields for money live in `apps.core.api.fields`: this module is imported by every
models.py and by the pure calculators, and stays free of the API layer (DRF).
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.db import models

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")
LEDGER_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)

# Digits of a customer-facing amount: 16 of rupees and 2 of paise.
MONEY_DIGITS, MONEY_DECIMALS = 18, 2
# The journal keeps four decimals; every lending flow posts amounts already rounded to paise.
LEDGER_DIGITS, LEDGER_DECIMALS = 18, 4
# An amount as typed: ASCII digits, then at most two decimals after a point with digits on both
# sides (no sign, exponent, separators, NaN or Infinity). The API's and the admin's money inputs.
RUPEES_TEXT = re.compile(r"[0-9]{1,16}(\.[0-9]{1,2})?")
# A sum over the whole book (an account's running totals, portfolio figures) gets more room.
TOTAL_DIGITS = 22


def to_decimal(value) -> Decimal:
    """Coerce a str/int/Decimal to Decimal; floats are refused because they cannot hold paise exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def round_money(value) -> Decimal:
    """Round to paise with ROUND_HALF_UP: the only rounding of money in the system."""
    return to_decimal(value).quantize(PAISA, rounding=ROUND_HALF_UP)


def gst_on(amount, rate_pct) -> Decimal:
    """The GST on a fee or a charge: `rate_pct` % of `amount`, rounded half-up to paise."""
    return round_money(to_decimal(amount) * to_decimal(rate_pct) / HUNDRED)


def split_amount(total, weights) -> list[Decimal]:
    """Split `total` (paise) in proportion to `weights` so the parts add back to the total exactly.

    Largest-remainder method: each part is floored to paise, then the paise left over go one by
    one to the parts with the largest remainders (ties to the earlier part).
    """
    total = round_money(total)
    weights = [to_decimal(w) for w in weights]
    weight_sum = sum(weights, Decimal(0))
    if not weights or weight_sum <= 0:
        raise ValueError("weights must be positive")
    total_paise = int(total / PAISA)
    raw = [Decimal(total_paise) * w / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    leftover = total_paise - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Decimal(p) * PAISA for p in floors]


class _AmountField(models.DecimalField):
    """A DecimalField whose digits come from the class, not from each model."""

    digits: int
    decimals: int

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", self.digits)
        kwargs.setdefault("decimal_places", self.decimals)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # Migrations record a plain DecimalField with its digits: the column type is all they
        # need, the existing migrations already say exactly that (so makemigrations sees no
        # change), and history never imports this module.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


class MoneyField(_AmountField):
    """Customer-facing rupees: numeric(18, 2)."""

    digits, decimals = MONEY_DIGITS, MONEY_DECIMALS


class LedgerAmountField(_AmountField):
    """A journal amount or snapshot total: numeric(18, 4); totals of a whole account take
    `max_digits=TOTAL_DIGITS`."""

    digits, decimals = LEDGER_DIGITS, LEDGER_DECIMALS
