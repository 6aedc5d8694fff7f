"""Four-eyes kinds of collections (apps/audit/approvals.py): a write-off above the live
`WRITE_OFF_FOUR_EYES_AMOUNT` is asked for by one staff user and booked when a different ADMIN
approves it.

`recovery_finish` is what the API and the admin call to complete a recovery: the money
recovered is applied at once (cash received is never held back for a signature); a write-off of
what remains runs at once when it is at most the threshold, and otherwise becomes a pending
`write_off` request, which needs a reason. The approver writes off what the loan owes on the
day of approval: a payment received meanwhile makes it smaller; penal charges accrued
meanwhile sit in suspense and were never income.
"""

from decimal import Decimal

from constance import config
from django.db import transaction
from django_fsm import can_proceed

from apps.audit.approvals import approval_kind, approval_request, refuse_if_pending
from apps.audit.models import Approval
from apps.collections.models import RecoveryAction
from apps.collections.services import loan_write_off, owed_after_recovery, recovered_amount_of, recovery_complete
from apps.core.errors import Conflict, found
from apps.repayments.locks import lock_loan


@approval_kind("write_off", "Write off a loan's unrecovered balance")
def _write_off(payload: dict, *, actor) -> dict:
    amount = loan_write_off(loan_id=payload["loan_id"], actor=actor)
    # The recovery that asked for it records what it wrote off, as when no approval is needed.
    RecoveryAction.objects.filter(pk=payload["recovery_action_id"]).update(written_off_amount=amount)
    return {"written_off": str(amount)}


@transaction.atomic
def recovery_finish(
    *, action_id, recovered_amount, write_off_remaining: bool = False, reason: str = "", actor
) -> tuple[RecoveryAction, Approval | None]:
    """Complete a recovery action; the write-off of what remains at once or, above the
    threshold, as a four-eyes request (returned with the action)."""
    # The action first, then its loan: the order recovery_complete locks them in.
    action = found(
        RecoveryAction.objects.select_for_update().filter(pk=action_id).first(), "Recovery action not found."
    )
    loan = lock_loan(action.loan_id, None)
    if write_off_remaining and loan.is_live:
        # Whatever its size: a write-off waiting for approval is not overtaken by another.
        refuse_if_pending("write_off", loan.pk, "A write-off of this loan already waits for approval.")
        recovered = recovered_amount_of(recovered_amount)
        remaining = owed_after_recovery(loan, recovered)
        if remaining > Decimal(config.WRITE_OFF_FOUR_EYES_AMOUNT):
            if not can_proceed(loan.write_off):
                raise Conflict(
                    f"Only a DEFAULTED loan can be written off; this one is {loan.status}.", code="loan_state"
                )
            action = recovery_complete(
                action_id=action_id, recovered_amount=recovered, write_off_remaining=False, actor=actor
            )
            approval = approval_request(
                kind="write_off",
                object_type="loans.loan",
                object_id=loan.pk,
                payload={"loan_id": str(loan.pk), "amount": str(remaining), "recovery_action_id": str(action.pk)},
                reason=reason,
                actor=actor,
            )
            return action, approval
    action = recovery_complete(
        action_id=action_id, recovered_amount=recovered_amount, write_off_remaining=write_off_remaining, actor=actor
    )
    return action, None
