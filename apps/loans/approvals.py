"""Four-eyes kinds of loans (apps/audit/approvals.py): an override of a business's sanctioned
limit is asked for by one staff user and takes effect when a different ADMIN approves."""

from decimal import Decimal

from apps.audit.approvals import approval_kind, approval_request
from apps.core.errors import InvalidInput
from apps.core.money import round_money
from apps.kyc.models import Business
from apps.loans.models import CreditLimit
from apps.loans.services.limits import credit_limit_set

REASON_MAX = CreditLimit._meta.get_field("reason").max_length


@approval_kind("limit_override", "Override a sanctioned limit")
def _override(payload: dict, *, actor) -> dict:
    business = Business.objects.get(pk=payload["business_id"])
    amount = Decimal(payload["amount"]) if payload["amount"] is not None else None
    limit = credit_limit_set(business=business, amount=amount, reason=payload["reason"], actor=actor)
    return {"limit": str(limit.amount) if limit else None}


def credit_limit_override_request(*, business: Business, amount: Decimal | None, reason: str, actor, request_id=None):
    """`amount` None asks to lift the override. Asked over POST /admin/businesses/{id}/limit-override
    or from the borrower 360; applied when a different ADMIN approves."""
    if amount is not None and amount < 0:
        raise InvalidInput("A limit is zero or more.", field="amount")
    if len(str(reason or "").strip()) > REASON_MAX:  # what CreditLimit keeps of it
        raise InvalidInput(f"At most {REASON_MAX} characters.", field="reason")
    payload = {
        "business_id": str(business.pk),
        "amount": str(round_money(amount)) if amount is not None else None,
        "reason": reason,
    }
    return approval_request(
        kind="limit_override",
        object_type="kyc.business",
        object_id=business.pk,
        payload=payload,
        reason=reason,
        actor=actor,
        request_id=request_id,
    )
