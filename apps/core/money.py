"""The one money policy: Decimal only, rounded half-up to paise in one place."""

from decimal import ROUND_HALF_UP, Decimal

PAISA = Decimal("0.01")
ZERO = Decimal("0.00")
LEDGER_PLACES = Decimal("0.0001")


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
