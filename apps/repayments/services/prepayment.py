"""Part-prepayment (arrears first, then principal, EMI recomputed over the same tenure) and
foreclosure (principal + interest to date + charges, then CLOSED)."""

from decimal import Decimal

from django.db import transaction

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput
from apps.core.money import ZERO
from apps.loans.models import Installment, Loan
from apps.loans.schedule import reducing_balance_schedule
from apps.repayments.locks import lock_loan
from apps.repayments.models import Repayment
from apps.repayments.posting import repayment_lines
from apps.repayments.selectors import foreclosure_quote
from apps.repayments.services.payments import (
    apply_to_installment,
    close_if_settled,
    parse_amount,
    recorded_actor,
    repayment_book,
)


def _unpaid(loan: Loan):
    return list(loan.installments.select_for_update().exclude(status=Installment.Status.PAID).order_by("number"))


def _recompute(loan: Loan, future: list[Installment], principal: Decimal) -> None:
    """Spread `principal` over the untouched future installments at the loan's rate, keeping
    their due dates: same tenure, lower EMI."""
    if not future:
        return
    lines = reducing_balance_schedule(principal, loan.annual_rate, len(future), future[0].due_date)
    for installment, line in zip(future, lines, strict=True):
        installment.principal_due, installment.interest_due = line.principal, line.interest
    Installment.objects.bulk_update(future, ["principal_due", "interest_due", "updated_at"])
    loan.emi = lines[0].amount
    loan.save(update_fields=["emi", "updated_at"])


def _lock_live_loan(loan_id, actor) -> Loan:
    loan = lock_loan(loan_id, actor)
    if not loan.is_live:
        raise Conflict(f"The loan is {loan.status}.", code="loan_state")
    return loan


@transaction.atomic
def loan_prepay(*, loan_id, actor, amount) -> Repayment:
    amount = parse_amount(amount)
    loan = _lock_live_loan(loan_id, actor)
    today = get_business_date()
    unpaid = _unpaid(loan)
    remaining, last = amount, None
    for installment in [i for i in unpaid if i.due_date <= today]:  # arrears first, oldest first
        if not remaining:
            break
        part = min(remaining, installment.owed)
        last = apply_to_installment(loan, installment, part, today=today, kind=Repayment.Kind.PREPAYMENT, actor=actor)
        remaining -= part
    future = [i for i in unpaid if i.due_date > today and i.amount_paid == 0 and i.penalty_due == 0]
    touched_future = [i for i in unpaid if i.due_date > today and i not in future]
    free_principal = loan.outstanding_principal - sum(
        (i.principal_due - i.principal_paid for i in touched_future), ZERO
    )
    if remaining:
        if remaining >= free_principal:
            raise InvalidInput("That pays the loan off: use the foreclosure quote instead.", field="amount")
        repayment = Repayment(
            loan=loan,
            kind=Repayment.Kind.PREPAYMENT,
            amount=remaining,
            principal=remaining,
            business_date=today,
            actor=recorded_actor(actor),
        )
        lines, _, _ = repayment_lines(
            loan, penalty=ZERO, interest_accrued=ZERO, interest_unaccrued=ZERO, principal=remaining
        )
        repayment_book(repayment, lines=lines, memo="Part-prepayment of principal")
        loan.outstanding_principal -= remaining
        loan.save(update_fields=["outstanding_principal", "updated_at"])
        _recompute(loan, future, free_principal - remaining)
        record("loan.prepaid", obj=loan, after={"principal": str(remaining), "emi": str(loan.emi)}, actor=actor)
        last = repayment
    close_if_settled(loan, today=today, actor=actor)
    return last


@transaction.atomic
def loan_foreclose(*, loan_id, actor, amount) -> Repayment:
    amount = parse_amount(amount)
    loan = _lock_live_loan(loan_id, actor)
    today = get_business_date()
    quote = foreclosure_quote(loan, today=today)
    if amount != quote.total:
        raise InvalidInput(f"The foreclosure amount on {today} is {quote.total}.", field="amount")
    unpaid = _unpaid(loan)
    accrued_interest = sum((i.interest_due - i.interest_paid for i in unpaid if i.interest_accrued), ZERO)
    unaccrued_due = sum(
        (i.interest_due - i.interest_paid for i in unpaid if not i.interest_accrued and i.due_date <= today), ZERO
    )
    broken = quote.interest_to_date - accrued_interest - unaccrued_due
    repayment = Repayment(
        loan=loan,
        kind=Repayment.Kind.FORECLOSURE,
        amount=amount,
        penalty=quote.charges,
        interest=quote.interest_to_date,
        principal=quote.principal,
        business_date=today,
        actor=recorded_actor(actor),
    )
    lines, released, penal_released = repayment_lines(
        loan,
        penalty=quote.charges,
        interest_accrued=accrued_interest,
        interest_unaccrued=unaccrued_due,
        principal=quote.principal,
        extra_income=broken,
    )
    repayment_book(repayment, lines=lines, memo="Foreclosure")
    # Future interest is not owed after a foreclosure: the schedule ends today.
    for installment in unpaid:
        if installment.due_date > today:
            installment.interest_due = installment.interest_paid
        installment.penalty_paid, installment.principal_paid = installment.penalty_due, installment.principal_due
        installment.interest_paid = installment.interest_due
        installment.status, installment.paid_on = Installment.Status.PAID, today
    Installment.objects.bulk_update(
        unpaid, ["interest_due", "penalty_paid", "principal_paid", "interest_paid", "status", "paid_on", "updated_at"]
    )
    loan.outstanding_principal = loan.outstanding_interest = loan.outstanding_penalty = ZERO
    loan.interest_suspense -= released
    loan.penal_suspense -= penal_released  # every charge is paid: all of it was released above
    loan.save()
    record("loan.foreclosed", obj=loan, after={"amount": str(amount)}, actor=actor)
    close_if_settled(loan, today=today, actor=actor)
    return repayment
