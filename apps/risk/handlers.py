"""What risk does with the events lower apps emit through the outbox (apps/core/outbox.py)."""

from apps.core.outbox import event_handler
from apps.kyc.models import Business
from apps.risk.services import credit_score_compute


@event_handler("banking.synced")
def rescore_after_bank_data(event):
    """New bank data changes the banking-conduct factor: the business is scored again, so the
    borrower 360 and the borrower's own score show it without waiting for the weekly run."""
    business = Business.objects.filter(pk=event.payload["business_id"]).first()
    if business is not None and event.payload.get("status") in ("DONE", "PARTIAL"):
        credit_score_compute(business=business)
