"""Rupees as Indian readers write them: `₹3,39,578.81` (the last three digits, then pairs: lakh,
crore) and, where a figure is read at a glance, `₹3.40 L` / `₹4.20 Cr`. Every page a person reads
(the admin, the dashboard, PDFs) formats money here; the API sends plain decimal strings."""

from decimal import ROUND_HALF_UP, Decimal

from apps.core.money import round_money, to_decimal

LAKH = Decimal(100_000)
CRORE = Decimal(10_000_000)
NONE = "—"


def group_indian(digits: str) -> str:
    """'33957881' -> '3,39,57,881': three digits at the right, then pairs."""
    if len(digits) <= 3:
        return digits
    head, tail = digits[:-3], digits[-3:]
    pairs = []
    while len(head) > 2:
        head, pair = head[:-2], head[-2:]
        pairs.insert(0, pair)
    return ",".join([head, *pairs, tail])


def inr(amount) -> str:
    """`₹3,39,578.81`, to the paisa; `-₹1,200.00` below zero; `—` for no amount."""
    if amount is None or amount == "":
        return NONE
    value = round_money(amount)
    rupees, paise = f"{abs(value):.2f}".split(".")
    sign = "-" if value < 0 else ""
    return f"{sign}₹{group_indian(rupees)}.{paise}"


def inr_short(amount) -> str:
    """For a glance: `₹4.20 Cr`, `₹3.40 L`, and below a lakh whole rupees, `₹85,000`."""
    if amount is None or amount == "":
        return NONE
    value = to_decimal(amount)
    sign = "-" if value < 0 else ""
    size = abs(value)
    rupees = size.quantize(Decimal(1), rounding=ROUND_HALF_UP)  # a glance needs no paise
    if rupees >= CRORE:
        return f"{sign}₹{round_money(size / CRORE):.2f} Cr"
    if rupees >= LAKH:
        return f"{sign}₹{round_money(size / LAKH):.2f} L"
    return f"{sign}₹{group_indian(f'{rupees:f}')}"
