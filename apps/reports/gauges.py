"""The book's figures for /metrics (apps/core/metrics.py), as of the latest close of business.

They are read from the latest DailyMetrics row, which the close of business writes, rather than
computed at scrape time: a scrape every few seconds must not sum the whole book.
"""

from apps.core.metrics import gauge
from apps.reports.models import DailyMetrics


def _latest():
    return DailyMetrics.objects.only("business_date", "aum", "npa_amount", "live_loans").first()


@gauge("book_aum_inr", "Principal outstanding of live loans at the latest close of business (INR).")
def book_aum_inr() -> float:
    latest = _latest()
    return latest.aum if latest else 0


@gauge("book_npa_ratio", "NPA principal over AUM at the latest close of business (0 to 1).")
def book_npa_ratio() -> float:
    latest = _latest()
    return latest.npa_amount / latest.aum if latest and latest.aum else 0


@gauge("book_live_loans", "Live loans at the latest close of business.")
def book_live_loans() -> float:
    latest = _latest()
    return latest.live_loans if latest else 0
