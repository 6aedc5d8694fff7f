"""Waiving bounce and penal charges an installment still owes.

The charge was booked as a receivable (Dr charges receivable / Cr penal income, GST payable);
the waiver reverses the receivable to the waiver account (Dr charges waived / Cr charges
receivable) and the installment and loan owe that much less. Under the loan and installment
locks, so two waivers at once can never together waive more than was owed.
"""

import uuid

from django.db import transaction

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, Forbidden, InvalidInput, explained_reason
from apps.core.roles import OPS_ROLES
from apps.ledger import chart
from apps.ledger.services import Line, money_row_book, on_loan
from apps.loans.models import Installment
from apps.repayments.locks import lock_installment
from apps.repayments.models import ChargeWaiver
from apps.repayments.services.payments import close_if_settled, installment_status, parse_amount


def charges_owed(installment: Installment):
    return installment.penalty_due - installment.penalty_paid


@transaction.atomic
def charge_waive(*, installment_id, amount, reason: str, actor, waiver_id=None) -> ChargeWaiver:
    """Waive `amount` of the charges owed on the installment. `waiver_id` (the form's token)
    makes it idempotent: the same id again returns the first waiver."""
    if getattr(actor, "role", None) not in OPS_ROLES:
        raise Forbidden("Only an OFFICER or ADMIN waives a charge.")
    reason = explained_reason(reason)
    amount = parse_amount(amount)
    waiver_id = waiver_id or uuid.uuid4()
    loan, installment = lock_installment(installment_id, None)
    done = ChargeWaiver.objects.filter(pk=waiver_id).first()
    if done is not None:
        return done
    if not loan.is_live:
        raise Conflict(f"The loan is {loan.status}.", code="loan_state")
    owed = charges_owed(installment)
    if owed <= 0:
        raise Conflict("No charge is owed on this installment.", code="nothing_owed")
    if amount > owed:
        raise InvalidInput(f"At most {owed} of charges is owed on this installment.", field="amount")
    today = get_business_date()
    waiver = ChargeWaiver(
        id=waiver_id,
        loan=loan,
        installment=installment,
        amount=amount,
        reason=reason,
        business_date=today,
        actor=actor,
    )
    common = on_loan(loan)
    # Penal charges held in suspense (accrued while NPA) were never income: waiving them
    # empties the suspense, not the expense account.
    from_suspense = min(loan.penal_suspense, amount)
    lines = [Line(chart.CHARGES_RECEIVABLE, credit=amount, **common)]
    if from_suspense:
        lines.append(Line(chart.PENAL_SUSPENSE, debit=from_suspense, **common))
    if amount - from_suspense:
        lines.append(Line(chart.CHARGES_WAIVED, debit=amount - from_suspense, **common))
    memo = f"Charges waived on installment {installment.number}"
    money_row_book(waiver, entry_type="WAIVER", lines=lines, key=f"waiver:{waiver.pk}", memo=memo, actor=actor)
    before = {"penalty_due": str(installment.penalty_due), "outstanding_penalty": str(loan.outstanding_penalty)}
    installment.penalty_due -= amount
    installment.status = installment_status(installment, today)
    installment.paid_on = today if installment.status == Installment.Status.PAID else None
    installment.save(update_fields=["penalty_due", "status", "paid_on", "updated_at"])
    loan.outstanding_penalty -= amount
    loan.penal_suspense -= from_suspense
    loan.save(update_fields=["outstanding_penalty", "penal_suspense", "updated_at"])
    record(
        "loan.charge_waived",
        obj=loan,
        before=before,
        after={
            "waiver": str(waiver.pk),
            "installment": installment.number,
            "amount": str(amount),
            "penalty_due": str(installment.penalty_due),
            "outstanding_penalty": str(loan.outstanding_penalty),
        },
        actor=actor,
        reason=reason,
    )
    close_if_settled(loan, today=today, actor=actor)  # the waived charge may have been all it owed
    return waiver
