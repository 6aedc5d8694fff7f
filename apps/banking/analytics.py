"""Cash-flow analytics of a business's bank data: what an underwriter reads off a statement.

Over the twelve complete calendar months before the data's date (fewer when less was shared):
- each month's inflow and outflow (every credit and debit) and closing balance (the last balance
  of each account in the month, carried forward through a quiet month, summed over accounts);
- average monthly inflow: the business's own receipts, so without own transfers, loan
  disbursals and returned debits, and less cheques that came back;
- average balance: the mean of the monthly closing balances;
- EMI obligations: EMI debits to one counterparty in three or more months, still running in the
  last two; the amount and the day of the month are the ones seen most;
- bounced debits: returned NACH/ECS debits and returned cheques;
- the ratio of a year's receipts to the GST-declared yearly turnover (low is a red flag);
- max_affordable_emi: BANK_EMI_SURPLUS_SHARE of the monthly surplus (receipts less operating
  outflow: everything but EMIs and own transfers) less the EMIs already being paid; never below 0.

A handful of aggregate queries over the (business, date) index, whatever the volume
(bench/banking_analytics.py: 3 banks x 12 months x 1,000 transactions).
"""

import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from constance import config
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.banking.models import BankAccount, BankTransaction, CashFlowSummary, Consent
from apps.core.money import ZERO, round_money

C = BankTransaction.Category
CREDIT, DEBIT = BankTransaction.Direction.CREDIT, BankTransaction.Direction.DEBIT
MONTHS = 12
# Credits that are not the business earning: its own money moving, a loan, a debit coming back.
NOT_RECEIPTS = (C.TRANSFER, C.LOAN, C.BOUNCE)
# Debits that are not the cost of running the business: debt service and own transfers.
NOT_OPERATING = (C.EMI, C.TRANSFER, C.BOUNCE)
RECURRING_MONTHS = 3
_TENURE = re.compile(r"\bEMI (\d{1,4}) OF (\d{1,4})\b")
MAX_TENURE_MONTHS = 360


@dataclass
class CashFlow:
    as_of: datetime.datetime | None
    stale: bool
    months: list[dict] = field(default_factory=list)
    average_monthly_inflow: Decimal = ZERO
    average_balance: Decimal = ZERO
    emi_obligations: list[dict] = field(default_factory=list)
    bounced_debits: int = 0
    gst_turnover_ratio: Decimal | None = None
    max_affordable_emi: Decimal = ZERO


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def is_stale(business, as_of) -> bool:
    """Some bank's last fetch failed after its last good one, or the data is old."""
    if as_of is None:
        return False
    if as_of < timezone.now() - datetime.timedelta(days=settings.AA_DATA_STALE_DAYS):
        return True
    never_fetched = Q(data_fetched_at__isnull=True)
    failed = Q(fetch_failed_at__isnull=False) & (never_fetched | Q(fetch_failed_at__gt=F("data_fetched_at")))
    return Consent.objects.filter(failed, business=business, status=Consent.Status.ACTIVE).exists()


def _closing_balances(business_id, start, end) -> dict:
    """{(account id, month): last balance of the month}, one DISTINCT ON over the index."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT ON (account_id, date_trunc('month', date))
                      account_id, date_trunc('month', date)::date, balance_after
               FROM banking_banktransaction
               WHERE business_id = %s AND date >= %s AND date < %s
               ORDER BY account_id, date_trunc('month', date), posted_at DESC, id DESC""",
            [business_id, start, end],
        )
        return {(account, month): balance for account, month, balance in cursor.fetchall()}


def _emi_obligations(business_id, start, end) -> list[dict]:
    rows = BankTransaction.objects.filter(
        business_id=business_id, date__gte=start, date__lt=end, direction=DEBIT, category=C.EMI
    ).values_list("counterparty", "amount", "date", "narration")
    by_lender = defaultdict(list)
    for counterparty, amount, date, narration in rows:
        by_lender[counterparty or "UNKNOWN"].append((amount, date, narration))
    running_since = month_start(end, 2)
    obligations = []
    for lender, debits in sorted(by_lender.items()):
        months = {date.replace(day=1) for _, date, _ in debits}
        if len(months) < RECURRING_MONTHS or max(months) < running_since:
            continue
        amount = Counter(a for a, _, _ in debits).most_common(1)[0][0]
        day = Counter(d.day for _, d, _ in debits).most_common(1)[0][0]
        obligations.append({"counterparty": lender, "amount": amount, "day_of_month": day})
    return obligations


def cash_flow(business) -> CashFlow:
    accounts = list(BankAccount.objects.filter(business=business).values_list("pk", "synced_at"))
    if not accounts:
        return CashFlow(as_of=None, stale=False)
    as_of = max(synced for _, synced in accounts)
    end = month_start(timezone.localtime(as_of).date())  # the current, partial month is left out
    window_start = month_start(end, MONTHS)
    monthly = {
        row["month"]: row
        for row in BankTransaction.objects.filter(business=business, date__gte=window_start, date__lt=end)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            inflow=Sum("amount", filter=Q(direction=CREDIT)),
            outflow=Sum("amount", filter=Q(direction=DEBIT)),
            receipts=Sum("amount", filter=Q(direction=CREDIT) & ~Q(category__in=NOT_RECEIPTS)),
            returned_in=Sum("amount", filter=Q(direction=DEBIT, category=C.BOUNCE)),
            operating=Sum("amount", filter=Q(direction=DEBIT) & ~Q(category__in=NOT_OPERATING)),
            bounces=Count("id", filter=Q(category=C.BOUNCE)),
        )
    }
    if not monthly:
        return CashFlow(as_of=as_of, stale=is_stale(business, as_of))
    span = [month_start(end, back) for back in range(MONTHS, 0, -1)]
    span = [m for m in span if m >= min(monthly)]
    closings = _closing_balances(business.pk, window_start, end)
    last = {account: None for account, _ in accounts}
    months, receipts, operating, balances, bounces = [], [], [], [], 0
    for month in span:
        row = monthly.get(month, {})
        for account in last:
            last[account] = closings.get((account, month), last[account])
        closing = sum((b for b in last.values() if b is not None), ZERO)
        months.append(
            {
                "month": month.strftime("%Y-%m"),
                "inflow": row.get("inflow") or ZERO,
                "outflow": row.get("outflow") or ZERO,
                "closing_balance": closing,
            }
        )
        receipts.append((row.get("receipts") or ZERO) - (row.get("returned_in") or ZERO))
        operating.append(row.get("operating") or ZERO)
        balances.append(closing)
        bounces += row.get("bounces") or 0
    n = len(span)
    average_inflow = round_money(sum(receipts) / n)
    obligations = _emi_obligations(business.pk, window_start, end)
    surplus = average_inflow - sum(operating) / n
    affordable = Decimal(config.BANK_EMI_SURPLUS_SHARE) * surplus - sum(o["amount"] for o in obligations)
    turnover = business.declared_turnover
    ratio = (sum(receipts) * 12 / n / turnover).quantize(Decimal("0.01")) if turnover else None
    return CashFlow(
        as_of=as_of,
        stale=is_stale(business, as_of),
        months=months,
        average_monthly_inflow=average_inflow,
        average_balance=round_money(sum(balances) / n),
        emi_obligations=obligations,
        bounced_debits=bounces,
        gst_turnover_ratio=ratio,
        max_affordable_emi=max(ZERO, round_money(affordable)),
    )


def cash_flow_summary_save(*, business) -> CashFlowSummary | None:
    """The figures the score and the offers read, replaced after every sync (in its transaction)."""
    flow = cash_flow(business)
    if flow.as_of is None:
        return None
    summary, _ = CashFlowSummary.objects.update_or_create(
        business=business,
        defaults={
            "as_of": flow.as_of,
            "stale": flow.stale,
            "months": len(flow.months),
            "average_monthly_inflow": flow.average_monthly_inflow,
            "average_balance": flow.average_balance,
            "emi_obligations": sum((o["amount"] for o in flow.emi_obligations), ZERO),
            "bounced_debits": flow.bounced_debits,
            "gst_turnover_ratio": flow.gst_turnover_ratio,
            "max_affordable_emi": flow.max_affordable_emi,
        },
    )
    return summary


@dataclass(frozen=True)
class ExternalLoan:
    """A loan from another lender seen in the data: its EMI, and when the statement shows its
    disbursal and numbers its EMIs ("EMI k OF n"), its principal, tenure and EMIs paid."""

    lender: str
    emi: Decimal
    principal: Decimal | None = None
    tenure_months: int | None = None
    paid: int | None = None


def external_loans(business) -> list[ExternalLoan]:
    flow = cash_flow(business)
    loans = []
    for obligation in flow.emi_obligations:
        lender = obligation["counterparty"]
        mine = BankTransaction.objects.filter(business=business, counterparty=lender)
        disbursal = mine.filter(direction=CREDIT, category=C.LOAN).order_by("-date").first()
        latest = mine.filter(direction=DEBIT, category=C.EMI).order_by("-posted_at", "-id").first()
        numbered = _TENURE.search(latest.narration) if latest else None
        # A narration is the payer's free text: a tenure no lender offers is not believed.
        if numbered and not (1 <= int(numbered.group(1)) <= int(numbered.group(2)) <= MAX_TENURE_MONTHS):
            numbered = None
        loans.append(
            ExternalLoan(
                lender=lender,
                emi=obligation["amount"],
                principal=disbursal.amount if disbursal else None,
                tenure_months=int(numbered.group(2)) if numbered else None,
                paid=int(numbered.group(1)) if numbered else None,
            )
        )
    return loans
