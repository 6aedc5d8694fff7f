"""Recovery of defaulted loans and the write-off of what cannot be recovered.

Completing a recovery applies the money like repayments do (oldest installment first,
penalty → interest → principal), so the books and the loan stay in step. With
`write_off_remaining`, what is left is written off: Dr write-off expense / Cr each receivable,
and any interest held in suspense is cleared against the receivable it shadowed (it was never
income). Money recovered on a written-off loan is recovery income.
"""

from decimal import Decimal

from django.db import transaction
from django_fsm import can_proceed

from apps.audit.services import record
from apps.collections.cases import case_escalate_for_loan
from apps.collections.models import RecoveryAction
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput, found, required_reason
from apps.core.money import ZERO
from apps.kyc.services import collateral_release
from apps.ledger import chart
from apps.ledger.services import Line, journal_post, on_loan, source_of
from apps.loans.models import Installment, Loan
from apps.loans.services.events import loan_event
from apps.repayments.locks import lock_loan
from apps.repayments.models import Repayment
from apps.repayments.services import apply_to_installment, close_if_settled, parse_amount

# DEFAULTED whatever put it there (NPA, a second bounce, an override); WRITTEN_OFF because money
# found after a write-off is still recovered (as recovery income).
RECOVERABLE = (Loan.Status.DEFAULTED, Loan.Status.WRITTEN_OFF)


def recovery_allowed(loan: Loan) -> bool:
    """A live loan classified NPA is in recovery territory too, whatever its status says."""
    if loan.status in RECOVERABLE:
        return True
    return loan.is_live and loan.asset_classification == Loan.Classification.NPA


@transaction.atomic
def recovery_initiate(*, loan_id, action_type: str, notes: str, actor) -> RecoveryAction:
    if action_type not in RecoveryAction.ActionType.values:
        raise InvalidInput(f"One of {', '.join(RecoveryAction.ActionType.values)}.", field="action_type")
    loan = lock_loan(loan_id, None)
    if not recovery_allowed(loan):
        raise Conflict(
            f"Recovery is for DEFAULTED, WRITTEN_OFF or NPA loans; this one is {loan.status}"
            f" ({loan.asset_classification}).",
            code="loan_state",
        )
    action = RecoveryAction.objects.create(loan=loan, action_type=action_type, notes=notes, initiated_by=actor)
    record("recovery.initiated", obj=action, after={"loan": str(loan.pk), "type": action_type}, actor=actor)
    case_escalate_for_loan(loan_id=loan.pk, actor=actor, reason=f"recovery initiated: {action_type}")
    return action


def _recover_into_installments(loan: Loan, amount: Decimal, *, today, actor) -> Decimal:
    remaining = amount
    for installment in loan.installments.select_for_update().exclude(status=Installment.Status.PAID).order_by("number"):
        if not remaining:
            break
        part = min(remaining, installment.owed)
        apply_to_installment(
            loan, installment, part, today=today, kind=Repayment.Kind.RECOVERY, actor=actor, channel="RECOVERY"
        )
        remaining -= part
    return remaining


def _write_off(loan: Loan, *, today, actor) -> Decimal:
    # Checked before any posting: a loan an ADMIN moved back to ACTIVE (or one the close of
    # business upgraded) is not written off, and the caller's atomic block undoes the recovery.
    if not can_proceed(loan.write_off):
        raise Conflict(f"Only a DEFAULTED loan can be written off; this one is {loan.status}.", code="loan_state")
    common = on_loan(loan)
    principal, interest, penalty = loan.outstanding_principal, loan.outstanding_interest, loan.outstanding_penalty
    suspense, penal_suspense = loan.interest_suspense, loan.penal_suspense
    # What sits in suspense was never income: written off against the suspense, not as expense.
    expense = principal + (interest - suspense) + (penalty - penal_suspense)
    lines = []
    if expense:
        lines.append(Line(chart.WRITE_OFF_EXPENSE, debit=expense, **common))
    if suspense:
        lines.append(Line(chart.INTEREST_SUSPENSE, debit=suspense, **common))
    if penal_suspense:
        lines.append(Line(chart.PENAL_SUSPENSE, debit=penal_suspense, **common))
    for account, amount in (
        (chart.LOAN_PRINCIPAL, principal),
        (chart.INTEREST_RECEIVABLE, interest),
        (chart.CHARGES_RECEIVABLE, penalty),
    ):
        if amount:
            lines.append(Line(account, credit=amount, **common))
    if len(lines) >= 2:
        journal_post(
            entry_type="WRITE_OFF",
            lines=lines,
            idempotency_key=f"write-off:{loan.pk}",
            business_date=today,
            memo="Write-off of the unrecovered balance",
            loan_id=loan.pk,
            **source_of(loan),
            actor=actor,
        )
    unpaid = list(loan.installments.exclude(status=Installment.Status.PAID))
    loan.outstanding_principal = loan.outstanding_interest = loan.outstanding_penalty = ZERO
    loan.interest_suspense = loan.penal_suspense = ZERO
    before = {"status": loan.status}
    loan.write_off(on=today)
    loan.save()
    collateral_release(reference=loan.lien_reference, actor=actor)
    record(
        "loan.written_off",
        obj=loan,
        before=before,
        after={"status": loan.status, "amount": str(principal + interest + penalty), "installments_open": len(unpaid)},
        actor=actor,
    )
    loan_event("loan.written_off", loan, day=today, amount=str(principal + interest + penalty))
    return principal + interest + penalty


def recovered_amount_of(value) -> Decimal:
    """The amount a recovery brought in, as given: nothing (blank or zero) is ZERO."""
    return ZERO if value in (None, "", 0, "0") else parse_amount(value, field="recovered_amount")


def owed_after_recovery(loan: Loan, recovered: Decimal) -> Decimal:
    """What a write-off would take off a live loan once `recovered` is applied to it."""
    return max(loan.outstanding_total - recovered, ZERO)


@transaction.atomic
def loan_write_off(*, loan_id, actor) -> Decimal:
    """Write off what a DEFAULTED loan still owes, on its own: the four-eyes `write_off` kind
    runs this when a second person approves (apps/collections/approvals.py)."""
    loan = lock_loan(loan_id, None)
    return _write_off(loan, today=get_business_date(), actor=actor)


def _recovery_on_written_off(loan: Loan, amount: Decimal, *, today, actor, action) -> None:
    common = on_loan(loan)
    journal_post(
        entry_type="RECOVERY",
        lines=[
            Line(chart.BANK_COLLECTIONS, debit=amount, **common),
            Line(chart.RECOVERY_INCOME, credit=amount, **common),
        ],
        idempotency_key=f"recovery:{action.pk}",
        business_date=today,
        memo="Recovery on a written-off loan",
        loan_id=loan.pk,
        **source_of(action),
        actor=actor,
    )


@transaction.atomic
def recovery_complete(*, action_id, recovered_amount, write_off_remaining: bool, actor) -> RecoveryAction:
    action = found(
        RecoveryAction.objects.select_for_update().filter(pk=action_id).first(), "Recovery action not found."
    )
    if action.status != RecoveryAction.Status.INITIATED:
        raise Conflict(f"The recovery action is {action.status}.", code="recovery_state")
    amount = recovered_amount_of(recovered_amount)
    loan = lock_loan(action.loan_id, None)
    today = get_business_date()
    written_off = ZERO
    if loan.status == Loan.Status.WRITTEN_OFF:
        if amount:
            _recovery_on_written_off(loan, amount, today=today, actor=actor, action=action)
    elif loan.is_live:
        left = _recover_into_installments(loan, amount, today=today, actor=actor)
        if left:
            raise InvalidInput(f"More than the {amount - left} owed on the loan.", field="recovered_amount")
        if not close_if_settled(loan, today=today, actor=actor) and write_off_remaining:
            written_off = _write_off(loan, today=today, actor=actor)
    else:
        raise Conflict(f"The loan is {loan.status}.", code="loan_state")
    before = {"status": action.status}
    action.complete(on=today, by=actor, recovered=amount, written_off=written_off)
    action.save()
    loan.refresh_from_db()
    record(
        "recovery.completed",
        obj=action,
        before=before,
        after={
            "status": action.status,
            "recovered": str(amount),
            "written_off": str(written_off),
            "loan_status": loan.status,
        },
        actor=actor,
    )
    return action


@transaction.atomic
def recovery_cancel(*, action_id, actor, reason: str) -> RecoveryAction:
    reason = required_reason(reason)
    action = found(
        RecoveryAction.objects.select_for_update().filter(pk=action_id).first(), "Recovery action not found."
    )
    if action.status != RecoveryAction.Status.INITIATED:
        raise Conflict(f"The recovery action is {action.status}.", code="recovery_state")
    action.cancel(on=get_business_date(), by=actor)
    action.save()
    record(
        "recovery.cancelled",
        obj=action,
        before={"status": "INITIATED"},
        after={"status": action.status},
        actor=actor,
        reason=reason,
    )
    return action
