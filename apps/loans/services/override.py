"""ADMIN override of a loan's status: the one place a state is set by hand, always with a reason.

Only moves that correct a judgement are allowed (the override_to_* transitions of Loan);
states that depend on money (CLOSED, WRITTEN_OFF) are reached only through repayment,
recovery or write-off, so the books follow.
"""

from django.db import transaction

from apps.core.errors import InvalidInput, found, required_reason
from apps.loans.models import Loan
from apps.loans.transitions import loan_status_override


@transaction.atomic
def loan_override(*, loan_id, status: str, reason: str, actor) -> Loan:
    reason = required_reason(reason, "A reason is required for an override.")
    if status not in Loan.Status.values:
        raise InvalidInput(f"One of {', '.join(Loan.Status.values)}.", field="status")
    loan = found(Loan.objects.select_for_update().filter(pk=loan_id).first(), "Loan not found.")
    return loan_status_override(loan, to=status, reason=reason, actor=actor)
