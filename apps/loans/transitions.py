"""Loan and offer state changes beside their FSMs (models.py), one row or set-based, each with
the audit row its one-row path writes (apps.audit.transitions.AuditedTransition).

The close of business moves loans set-based through LOAN_OVERDUE, LOAN_CURRENT,
LOAN_DEFAULTED and LOAN_UPGRADED; offer expiry through OFFER_EXPIRED. tests/loans/
test_transitions.py holds each set-based path to its one-row path.
"""

from django_fsm import can_proceed

from apps.audit.transitions import AuditedTransition
from apps.core.errors import Conflict
from apps.loans.models import Loan, Offer, Payout

LOAN_OVERDUE = AuditedTransition(Loan.mark_overdue, "loan.overdue")
LOAN_CURRENT = AuditedTransition(Loan.mark_current, "loan.current")
LOAN_DEFAULTED = AuditedTransition(Loan.mark_defaulted, "loan.defaulted")
LOAN_UPGRADED = AuditedTransition(Loan.upgrade, "loan.upgraded")

OFFER_EXPIRED = AuditedTransition(Offer.expire, "offer.expired", sets={"status_reason": "validity ended"})
OFFER_ACCEPTED = AuditedTransition(Offer.accept, "offer.accepted")
OFFER_WITHDRAWN = AuditedTransition(Offer.withdraw, "offer.withdrawn")
OFFER_VOIDED = AuditedTransition(Offer.void, "offer.voided")
LOAN_CANCELLED = AuditedTransition(Loan.cancel, "loan.cancelled")
PAYOUT_SUCCEEDED = AuditedTransition(Payout.succeed, "payout.succeeded")
PAYOUT_FAILED = AuditedTransition(Payout.fail, "payout.failed")

# The ADMIN override, by the state it sets.
OVERRIDES: dict[str, AuditedTransition] = {
    door.target: door
    for door in (
        AuditedTransition(Loan.override_to_active, "loan.override"),
        AuditedTransition(Loan.override_to_cancelled, "loan.override"),
        AuditedTransition(Loan.override_to_defaulted, "loan.override"),
        AuditedTransition(Loan.override_to_overdue, "loan.override"),
    )
}


def loan_override_targets(loan: Loan) -> list[str]:
    """The states an ADMIN may override this loan to, from where it is now."""
    return sorted(target for target, door in OVERRIDES.items() if can_proceed(getattr(loan, door.name)))


def loan_status_override(loan: Loan, *, to: str, reason: str, actor) -> Loan:
    """The one place a loan's status is set by hand: an ADMIN correcting a judgement, with a
    reason, audited as loan.override. The caller holds the loan's row lock."""
    allowed = loan_override_targets(loan)
    if to not in allowed:
        names = ", ".join(allowed) or "none"
        raise Conflict(f"A {loan.status} loan cannot be overridden to {to} (allowed: {names}).")
    return OVERRIDES[to].one(loan, actor=actor, reason=reason)
