"""The day's figures for the MIS and the dashboard, written once a day by the daily_metrics job.

The dashboard reads these rows instead of scanning the book: a million loans summed on every
page view would cost more than the page is worth, and yesterday's close does not change."""

from django.db import models

from apps.core.money import TOTAL_DIGITS, MoneyField


def _book_total(**kwargs):
    """A sum over the whole book: rupees and paise, with more digits than one loan's amount."""
    return MoneyField(max_digits=TOTAL_DIGITS, **kwargs)


class DailyMetrics(models.Model):
    business_date = models.DateField(primary_key=True)
    computed_at = models.DateTimeField(auto_now=True)
    # The book at the close of the day.
    aum = _book_total(help_text="Principal outstanding of live loans.")
    live_loans = models.PositiveIntegerField()
    npa_amount = _book_total(help_text="Principal outstanding of NPA loans.")
    # {classification: {"count": n, "amount": "…"}}, and the same by DPD bucket.
    by_classification = models.JSONField()
    by_dpd_bucket = models.JSONField()
    # The day's flows, from the ledger.
    disbursed = _book_total()
    collected = _book_total()
    # Month to date: what fell due (installments due from the 1st through this day) and how much
    # of that has been paid.
    due_mtd = _book_total()
    paid_against_due_mtd = _book_total()
    # The MIS (apps/reports/mis.py): the API's keys, the ones that could not be known for the
    # date (named, left null), why, and where each figure comes from.
    metrics = models.JSONField(default=dict)
    missing_metrics = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    sources = models.JSONField(default=dict)

    class Meta:
        ordering = ["-business_date"]
        verbose_name = verbose_name_plural = "daily metrics"

    def __str__(self):
        return f"Metrics {self.business_date:%d %b %Y}"
