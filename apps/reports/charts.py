"""Bar charts as inline SVG, drawn on the server: rupees on a real axis, each bar labelled with
its value. No JavaScript and no chart library: the numbers are in the markup, where a test (and a
screen reader) can read them."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.core.inr import inr, inr_short

WIDTH, HEIGHT = 560, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 18, 34
NICE_STEPS = (1, 2, 2.5, 5, 10)
# The smallest axis drawn: an empty chart still reads ₹0 to ₹1,000, not ₹0 to ₹1 in quarters.
SMALLEST_TOP = Decimal(1000)


def _count(value) -> str:
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


def _percent(value) -> str:
    return f"{Decimal(value) * 100:.0f}%"


# How a chart writes its values: (axis and bar labels, the exact value on hover, the smallest top).
UNITS = {
    "money": (inr_short, inr, SMALLEST_TOP),
    "count": (_count, _count, Decimal(4)),
    "ratio": (_percent, lambda v: f"{Decimal(v) * 100:.2f}%", Decimal(1)),
}


def nice_ceiling(value: Decimal, smallest: Decimal = SMALLEST_TOP) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 x 10^n at or above `value` (and at least `smallest`): the
    top of the axis."""
    if value <= smallest:
        return smallest
    exponent = Decimal(10) ** (len(str(int(value))) - 1)
    for step in NICE_STEPS:
        top = Decimal(str(step)) * exponent
        if top >= value:
            return top
    return Decimal(10) * exponent


def bar_chart(
    points: list[tuple[str, Decimal]],
    *,
    title: str,
    label_every: int = 1,
    show_values: bool = True,
    unit: str = "money",
) -> str:
    """`points` are (label, value). Bars scale to an axis from 0 to a round figure above the
    largest value, with four gridlines; rupees are labelled in short Indian form (₹2.50 L),
    counts as numbers, ratios as percentages (an axis to 100%)."""
    short, exact, smallest = UNITS[unit]
    values = [Decimal(v or 0) for _, v in points]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(points), 1)
    # Bars too narrow for a value written across them get it written upwards, with headroom.
    upright = slot < 48
    largest = max(values, default=Decimal(0))
    top = smallest if unit == "ratio" else nice_ceiling(largest * Decimal("1.3") if upright else largest, smallest)
    svg = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i in range(5):
        tick = top * i / 4
        y = TOP + plot_h - float(tick / top) * plot_h
        svg.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        svg.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{short(tick)}</text>')
    for index, ((label, _), value) in enumerate(zip(points, values, strict=True)):
        height = float(value / top) * plot_h
        x = LEFT + index * slot + slot * 0.15
        y = TOP + plot_h - height
        centre = x + slot * 0.35
        svg.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{height:.1f}">'
            f"<title>{escape(label)}: {exact(value)}</title></rect>"
        )
        if show_values and value:
            if upright:
                svg.append(
                    f'<text class="value" x="{centre + 3:.1f}" y="{y - 4:.1f}" text-anchor="start" '
                    f'transform="rotate(-90 {centre + 3:.1f} {y - 4:.1f})">{short(value)}</text>'
                )
            else:
                text = short(value)
                svg.append(f'<text class="value" x="{centre:.1f}" y="{y - 4:.1f}" text-anchor="middle">{text}</text>')
        if index % label_every == 0:
            below = HEIGHT - BOTTOM + 16
            svg.append(f'<text class="label" x="{centre:.1f}" y="{below}" text-anchor="middle">{escape(label)}</text>')
    if not any(values):
        middle_x, middle_y = LEFT + plot_w / 2, TOP + plot_h / 2
        svg.append(f'<text class="empty" x="{middle_x:.0f}" y="{middle_y:.0f}" text-anchor="middle">nothing yet</text>')
    svg.append("</svg>")
    # Every piece of text in it went through escape() or is a formatted number.
    return mark_safe("".join(svg))  # noqa: S308
