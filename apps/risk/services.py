"""Scoring businesses (one, or a chunk at a time) and the APPROVE / REVIEW / REJECT decision."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from constance import config
from django.db.models import Count, Q
from django.utils import timezone

from apps.accounts.models import Device
from apps.audit.services import record
from apps.banking.selectors import cash_flow_summaries
from apps.core.business_date import get_business_date
from apps.kyc.models import Business
from apps.risk import sources
from apps.risk.models import CreditScore
from apps.risk.rules import RULE_SET_VERSION, Inputs, evaluate_rules

NEW_DEVICE_DAYS = 7
WEIGHT_KEYS = [
    "BASE",
    "KYC_VERIFIED",
    "KYC_PENDING",
    "KYC_REJECTED",
    "GST_CANCELLED",
    "GST_AGE",
    "TURNOVER",
    "PER_INVOICE",
    "INVOICE_CAP",
    "CLEAN_REPAYMENT",
    "NPA",
    "PER_BOUNCE",
    "UNTRUSTED_DEVICE",
    "BANKING",
    "BANK_BOUNCE",
]


def weights() -> dict:
    return {key: int(getattr(config, f"RISK_W_{key}")) for key in WEIGHT_KEYS}


def _device_counts(owner_ids) -> dict:
    recent = timezone.now() - datetime.timedelta(days=NEW_DEVICE_DAYS)
    rows = (
        Device.objects.filter(user_id__in=owner_ids)
        .values("user_id")
        .annotate(total=Count("id"), untrusted=Count("id", filter=Q(is_trusted=False) | Q(first_seen_at__gte=recent)))
    )
    return {row["user_id"]: row for row in rows}


def _receipts_low(summary) -> bool:
    """The bank's receipts are well below the turnover declared to GST (a red flag)."""
    ratio = summary.gst_turnover_ratio
    return ratio is not None and ratio < Decimal(config.RISK_BANK_MIN_GST_RATIO)


def _bank_inputs(summary) -> dict:
    if summary is None:
        return {}
    ratio = summary.gst_turnover_ratio
    return {
        "bank_data": True,
        "bank_bounces": summary.bounced_debits,
        "gst_turnover_ratio": ratio,
        "bank_ratio_low": _receipts_low(summary),
        "bank_emi_room": summary.max_affordable_emi > 0,
    }


def _inputs(business: Business, signals: dict, devices: dict, today: datetime.date, bank=None) -> Inputs:
    invoices = signals.get("invoices", {})
    repayments = signals.get("repayments", {})
    device = devices.get(business.owner_id, {})
    registered = business.gst_registration_date
    return Inputs(
        kyc_status=business.kyc_status,
        gst_status=business.gst_status,
        gst_age_days=(today - registered).days if registered else None,
        declared_turnover=int(business.declared_turnover) if business.declared_turnover is not None else None,
        invoices_verified=invoices.get("verified", 0),
        invoices_rejected=invoices.get("rejected", 0),
        distinct_buyers=invoices.get("buyers", 0),
        has_loans=repayments.get("loans", 0) > 0,
        max_dpd=repayments.get("max_dpd", 0),
        bounces=repayments.get("bounces", 0),
        devices=device.get("total", 0),
        untrusted_devices=device.get("untrusted", 0),
        **_bank_inputs(bank),
    )


def _scores(businesses: list[Business]) -> list[CreditScore]:
    """Unsaved scores for a chunk, with one query per signal whatever the chunk size."""
    ids = [b.pk for b in businesses]
    signals = sources.collect(ids)
    devices = _device_counts([b.owner_id for b in businesses])
    banks = cash_flow_summaries(ids)
    today, now, w = get_business_date(), timezone.now(), weights()
    rows = []
    for business in businesses:
        facts = _inputs(business, signals.get(business.pk, {}), devices, today, banks.get(business.pk))
        score, grade, factors = evaluate_rules(facts, w)
        rows.append(
            CreditScore(
                business=business,
                score=score,
                grade=grade,
                rule_set_version=RULE_SET_VERSION,
                factors=factors,
                computed_at=now,
            )
        )
    return rows


def credit_scores_compute(*, businesses: list[Business]) -> list[CreditScore]:
    """Score a chunk; one bulk insert."""
    if not businesses:
        return []
    return CreditScore.objects.bulk_create(_scores(businesses))


def credit_score_compute(*, business: Business, actor=None) -> CreditScore:
    """A fresh score for one business, stored and audited."""
    (score,) = credit_scores_compute(businesses=[business])
    record("risk.scored", obj=business, after={"score": score.score, "grade": score.grade}, actor=actor)
    return score


@dataclass(frozen=True)
class Decision:
    outcome: str  # APPROVE, REVIEW or REJECT
    reasons: list = field(default_factory=list)
    score: CreditScore | None = None


def risk_evaluation_run(*, business: Business, amount: Decimal, actor=None) -> Decision:
    """The credit decision for lending `amount` to `business`, on a fresh score (stored)."""
    return _decision(business, amount, credit_score_compute(business=business, actor=actor))


def risk_evaluation_preview(*, business: Business, amount: Decimal, actor=None) -> Decision:
    """The same decision on a fresh score that is not stored: what ops ask before anything is
    applied for (POST /risk/evaluations). Nothing is written."""
    (score,) = _scores([business])
    return _decision(business, amount, score)


def _decision(business: Business, amount: Decimal, score: CreditScore) -> Decision:
    reasons = []
    if business.kyc_status != Business.KycStatus.VERIFIED:
        reasons.append(f"KYC is {business.kyc_status}")
    if business.gst_status == "CANCELLED":
        reasons.append("GST registration is cancelled")
    if score.grade == "E":
        reasons.append(f"credit score {score.score} is below the lending floor")
    if reasons:
        return Decision("REJECT", reasons, score)
    if score.grade == "D":
        reasons.append(f"credit score {score.score} (grade D) needs a second look")
    if amount > Decimal(config.RISK_REVIEW_AMOUNT):
        reasons.append(f"amount {amount} above the automatic limit {config.RISK_REVIEW_AMOUNT}")
    reasons += _bank_reasons(cash_flow_summaries([business.pk]).get(business.pk))
    return Decision("REVIEW" if reasons else "APPROVE", reasons, score)


def _bank_reasons(summary) -> list[str]:
    """What in the business's bank data needs a person to look before lending."""
    if summary is None:
        return []
    reasons = []
    if _receipts_low(summary):
        reasons.append(f"bank credits are {summary.gst_turnover_ratio:.0%} of the GST-declared turnover")
    if summary.bounced_debits > config.RISK_BANK_MAX_BOUNCES:
        reasons.append(f"{summary.bounced_debits} bounced debits in 12 months of bank data")
    return reasons
