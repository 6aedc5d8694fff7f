"""ADMIN override of a loan's status: the one place a state is set by hand, always with a reason.

Only moves that correct a judgement are allowed; states that depend on money (CLOSED,
WRITTEN_OFF) are reached only through repayment, recovery or write-off, so the books follow.
"""

from django.db import transaction

from apps.audit.services import record
from apps.core.errors import Conflict, InvalidInput, NotFound
from apps.loans.models import Loan

S = Loan.Status
ALLOWED_OVERRIDES: dict[str, set[str]] = {
    S.SANCTIONED: {S.CANCELLED},
    S.ACTIVE: {S.DEFAULTED},
    S.OVERDUE: {S.ACTIVE, S.DEFAULTED},
    S.DEFAULTED: {S.ACTIVE, S.OVERDUE},
}


@transaction.atomic
def loan_override(loan_id, *, status: str, reason: str, actor) -> Loan:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("A reason is required for an override.", field="reason")
    if status not in S.values:
        raise InvalidInput(f"One of {', '.join(S.values)}.", field="status")
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise NotFound("Loan not found.")
    allowed = ALLOWED_OVERRIDES.get(loan.status, set())
    if status not in allowed:
        names = ", ".join(sorted(allowed)) or "none"
        raise Conflict(f"A {loan.status} loan cannot be overridden to {status} (allowed: {names}).")
    before = {"status": loan.status}
    # The status field is protected against assignment; an override is the audited exception.
    Loan.objects.filter(pk=loan.pk).update(status=status)
    loan.refresh_from_db()
    record("loan.override", obj=loan, before=before, after={"status": loan.status}, actor=actor, reason=reason)
    return loan
