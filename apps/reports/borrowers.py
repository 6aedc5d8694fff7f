"""Finding a borrower, and everything about one on one page (the borrower 360).

Every lookup is an indexed equality or prefix: a phone through the unique index on users, a
GSTIN through the unique index on businesses, a PAN through its index, a loan or application
reference through theirs, a name by prefix on UPPER(legal_name) (ix_business_name_upper). Each
section of the 360 is bounded (the newest SECTION rows, linked to the full filtered list); its
bank data adds the cash-flow analytics, a handful of aggregate queries (apps/banking/analytics.py)."""

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from apps.accounts.phone import normalize_indian_mobile
from apps.audit.models import Approval, AuditLog
from apps.banking.analytics import cash_flow
from apps.banking.models import BankAccount, BankCall, Consent
from apps.collections.models import Notification
from apps.invoices.models import Invoice
from apps.kyc.models import Business
from apps.loans.limits import limits_of
from apps.loans.models import Loan, Offer
from apps.repayments.models import Bounce, Repayment
from apps.reports.charts import bar_chart
from apps.risk.selectors import credit_score_latest

SECTION = 20
FOUND = 25
GSTIN = re.compile(r"^\d{2}[A-Z]{5}\d{4}[A-Z][0-9A-Z]Z[0-9A-Z]$")
PAN = re.compile(r"^[A-Z]{5}\d{4}[A-Z]$")
REFERENCE = re.compile(r"^(LN|AP)-\d{4}-\d{6,}$")
# The bank data's monthly charts: (the month's key in CashFlow.months, the chart's title), in the
# order the 360 lays them out beside the figures (apps/reports/borrower_360.html).
BANK_CHARTS = [
    ("closing_balance", "Closing balance, all accounts"),
    ("inflow", "Inflow per month (every credit)"),
    ("outflow", "Outflow per month (every debit)"),
]


def borrower_search(term: str) -> dict:
    """{"kind": what the term was read as, "businesses": [...], "loan": the loan a loan reference
    named (or None)}. Empty for a blank term."""
    term = (term or "").strip()
    if not term:
        return {"kind": None, "businesses": [], "loan": None}
    upper = term.upper()
    base = Business.objects.select_related("owner")
    if REFERENCE.match(upper):
        model = Loan if upper.startswith("LN-") else Invoice
        row = model.objects.filter(reference=upper).select_related("business__owner").first()
        businesses = [row.business] if row else []
        return {"kind": "reference", "businesses": businesses, "loan": row if model is Loan else None}
    if GSTIN.match(upper):
        return {"kind": "GSTIN", "businesses": list(base.filter(gstin=upper)), "loan": None}
    if PAN.match(upper):
        return {"kind": "PAN", "businesses": list(base.filter(pan=upper)[:FOUND]), "loan": None}
    phone = normalize_indian_mobile(term) if re.fullmatch(r"[+\d\s-]{10,16}", term) else None
    if phone:
        return {"kind": "phone", "businesses": list(base.filter(owner__phone=phone)), "loan": None}
    by_name = base.annotate(upper_name=Upper("legal_name")).filter(upper_name__startswith=upper)
    return {"kind": "name", "businesses": list(by_name.order_by("legal_name")[:FOUND]), "loan": None}


def borrower_360(business: Business) -> dict:
    """What ops need about one borrower, each section its newest SECTION rows."""
    loans = list(Loan.objects.filter(business=business).order_by("-created_at")[:SECTION])
    loan_ids = [loan.pk for loan in loans]
    objects = Q(object_type="kyc.business", object_id=str(business.pk)) | Q(
        object_type="loans.loan", object_id__in=[str(pk) for pk in loan_ids]
    )
    return {
        "business": business,
        "score": credit_score_latest(business=business),
        "checks": list(business.checks.order_by("-created_at")[:SECTION]),
        "documents": list(business.documents.order_by("-created_at")[:SECTION]),
        "invoices": list(Invoice.objects.filter(business=business).order_by("-created_at")[:SECTION]),
        "offers": list(
            Offer.objects.filter(invoice__business=business).select_related("invoice").order_by("-created_at")[:SECTION]
        ),
        "loans": loans,
        "repayments": list(
            Repayment.objects.filter(loan_id__in=loan_ids).select_related("loan").order_by("-created_at")[:SECTION]
        ),
        "bounces": list(
            Bounce.objects.filter(loan_id__in=loan_ids)
            .select_related("loan", "installment", "return_code")
            .order_by("-created_at")[:SECTION]
        ),
        "reminders": list(
            Notification.objects.filter(loan_id__in=loan_ids).select_related("loan").order_by("-created_at")[:SECTION]
        ),
        "audit": list(AuditLog.objects.filter(objects).select_related("actor").order_by("-at")[:SECTION]),
        "bank": bank_data(business),
        "limits": limits_of(business),
        # Overrides asked for and not yet decided: a second ask would be a second request.
        "limit_requests": list(
            Approval.objects.filter(
                kind="limit_override", object_id=str(business.pk), status=Approval.Status.PENDING
            ).select_related("requested_by")
        ),
    }


def _month_label(month: str) -> str:
    """A CashFlow month as a chart labels it: 2026-01 is "Jan 26" (twelve fit under the bars)."""
    return datetime.date.fromisoformat(f"{month}-01").strftime("%b %y")


def _fetch_failed(consent: Consent) -> bool:
    """Its last fetch failed after its last good one: the data held from that bank is old."""
    failed, fetched = consent.fetch_failed_at, consent.data_fetched_at
    return failed is not None and (fetched is None or failed > fetched)


def bank_data(business: Business) -> dict | None:
    """The 360's bank panel: consents, the accounts, the newest calls of the status log and the
    cash-flow analytics with their monthly charts. None when the business never asked for a
    consent (it shared no bank data)."""
    consents = list(Consent.objects.filter(business=business).order_by("-created_at")[:SECTION])
    if not consents:
        return None
    consents.sort(key=lambda consent: consent.bank)  # by bank, each bank's newest first
    for consent in consents:
        consent.fetch_failed = _fetch_failed(consent)
    flow = cash_flow(business)
    ratio = flow.gst_turnover_ratio
    return {
        "consents": consents,
        "accounts": list(BankAccount.objects.filter(business=business).order_by("bank", "masked_number")[:SECTION]),
        "calls": list(BankCall.objects.filter(business=business).order_by("-created_at", "-id")[:SECTION]),
        "flow": flow,
        "gst_turnover_percent": None if ratio is None else f"{ratio * 100:.0f}%",
        "failing_banks": sorted({c.bank for c in consents if c.fetch_failed and c.status == Consent.Status.ACTIVE}),
        "stale_days": settings.AA_DATA_STALE_DAYS,
        "old": flow.as_of is not None
        and flow.as_of < timezone.now() - datetime.timedelta(days=settings.AA_DATA_STALE_DAYS),
        "charts": [
            {
                "key": key,
                "title": title,
                "svg": bar_chart(
                    [(_month_label(m["month"]), Decimal(m[key])) for m in flow.months], title=title, unit="money"
                ),
            }
            for key, title in BANK_CHARTS
        ]
        if flow.months
        else [],
    }
