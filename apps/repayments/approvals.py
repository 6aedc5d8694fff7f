"""Four-eyes kinds of repayments (apps/audit/approvals.py): a charge waiver is asked for by one
staff user and applied when a different ADMIN approves."""

from decimal import Decimal

from apps.audit.approvals import approval_kind, approval_request
from apps.core.errors import Conflict, InvalidInput, found
from apps.loans.models import Installment
from apps.repayments.services.payments import parse_amount
from apps.repayments.services.waivers import charge_waive, charges_owed


@approval_kind("charge_waiver", "Waive charges on an installment")
def _waive(payload: dict, *, actor) -> dict:
    waiver = charge_waive(
        installment_id=payload["installment_id"],
        amount=Decimal(payload["amount"]),
        reason=payload["reason"],
        actor=actor,
    )
    return {"waiver_id": str(waiver.pk), "amount": str(waiver.amount)}


def charge_waiver_request(*, loan_id, installment_id, amount, reason: str, actor, request_id=None):
    """Checked now, applied on approval (and checked again then: the charge may be paid meanwhile)."""
    amount = parse_amount(amount)
    installment = found(
        Installment.objects.select_related("loan").filter(pk=installment_id, loan_id=loan_id).first(),
        "No such installment on this loan.",
    )
    owed = charges_owed(installment)
    if owed <= 0:
        raise Conflict("No charge is owed on this installment.", code="nothing_owed")
    if amount > owed:
        raise InvalidInput(f"At most {owed} of charges is owed on this installment.", field="amount")
    payload = {"installment_id": str(installment.pk), "amount": str(amount), "reason": reason}
    return approval_request(
        kind="charge_waiver",
        object_type="loans.loan",
        object_id=loan_id,
        payload=payload,
        reason=reason,
        actor=actor,
        request_id=request_id,
    )
