"""Reads of the risk app that more than one caller needs."""

from apps.kyc.models import Business
from apps.risk.models import CreditScore


def credit_score_latest(*, business: Business) -> CreditScore | None:
    return CreditScore.objects.filter(business=business).order_by("-computed_at").first()
