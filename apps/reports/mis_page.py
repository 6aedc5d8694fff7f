"""The MIS in the console: the daily metrics of the last 30 business dates as trend charts and a
table, with a CSV export of the same rows. Read from the stored DailyMetrics (one query)."""

import csv
import datetime
from decimal import Decimal

from django.http import HttpResponse

from apps.core.business_date import last_closed_day
from apps.core.inr import inr
from apps.reports.charts import bar_chart
from apps.reports.mis import KEYS
from apps.reports.models import DailyMetrics

DAYS = 30
# (key, title, the chart's unit)
CHARTED = [
    ("collections_received", "Collected per day", "money"),
    ("collection_efficiency", "Collection efficiency (paid of what fell due that day)", "ratio"),
    ("new_sma", "Loans newly in SMA", "count"),
    ("cases_opened", "Collection cases opened", "count"),
    ("ptp_kept", "Promises kept", "count"),
    ("ptp_broken", "Promises broken", "count"),
]
MONEY_KEYS = {"disbursed_amount", "collections_due", "collections_received", "npa_amount"}
RATIO_KEYS = {"collection_efficiency", "par_30", "par_90"}


def window(end: datetime.date | None = None) -> tuple[list[datetime.date], dict]:
    end = end or last_closed_day() or datetime.date.today()
    days = [end - datetime.timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    rows = {m.business_date: m for m in DailyMetrics.objects.filter(business_date__gte=days[0], business_date__lte=end)}
    return days, rows


def _value(row, key) -> Decimal:
    raw = row.metrics.get(key) if row else None
    return Decimal(raw) if raw not in (None, "") else Decimal(0)


def _shown(key, value) -> str | None:
    """A figure as the table writes it: rupees in Indian form, ratios as percentages."""
    if value is None:
        return None
    if key in MONEY_KEYS:
        return inr(Decimal(value))
    if key in RATIO_KEYS:
        return f"{Decimal(value) * 100:.2f}%"
    return str(value)


def mis_context(end: datetime.date | None = None) -> dict:
    days, rows = window(end)
    charts = [
        {
            "title": title,
            "svg": bar_chart(
                [(f"{d:%d %b}", _value(rows.get(d), key)) for d in days], title=title, label_every=5, unit=unit
            ),
        }
        for key, title, unit in CHARTED
    ]
    table = [
        {"day": d, "values": [_shown(key, rows[d].metrics.get(key)) if d in rows else None for key in KEYS]}
        for d in reversed(days)
    ]
    return {
        "days": days,
        "charts": charts,
        "keys": KEYS,
        "table": table,
        "missing_days": [d for d in days if d not in rows],
    }


def mis_csv(end: datetime.date | None = None) -> HttpResponse:
    days, rows = window(end)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="mis-{days[0]}-{days[-1]}.csv"'
    writer = csv.writer(response)
    writer.writerow(["business_date", *KEYS, "missing_metrics"])
    for day in days:
        row = rows.get(day)
        if row is None:
            writer.writerow([day.isoformat(), *([""] * len(KEYS)), "not computed"])
            continue
        values = ["" if row.metrics.get(key) is None else row.metrics.get(key) for key in KEYS]
        writer.writerow([day.isoformat(), *values, " ".join(row.missing_metrics)])
    return response
