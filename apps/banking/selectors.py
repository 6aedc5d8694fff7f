"""What the layers above read of a business's bank data: the cash-flow summary of its latest
sync (apps/banking/analytics.py), in bulk for the score and one at a time for an offer."""

from decimal import Decimal

from apps.banking.models import CashFlowSummary


def cash_flow_summaries(business_ids) -> dict:
    """{business id: CashFlowSummary} for those that have shared bank data."""
    return {s.business_id: s for s in CashFlowSummary.objects.filter(business_id__in=list(business_ids))}


def max_affordable_emi(business) -> Decimal | None:
    """The most a new EMI may be by the business's bank data; None when it shared none."""
    summary = CashFlowSummary.objects.filter(business=business).first()
    return summary.max_affordable_emi if summary else None
