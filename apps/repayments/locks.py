"""Row locks in the one order every money path takes: loan, then its installments."""

from django.db.models import Subquery

from apps.core.errors import NotFound, found
from apps.core.roles import OPS_ROLES, Role
from apps.loans.models import Installment, Loan


def lock_installment(installment_id, user) -> tuple[Loan, Installment]:
    # The loan is found through its installment and locked in the same statement: one round trip
    # on the money path, not a lookup and then a lock.
    owner = Installment.objects.filter(pk=installment_id).order_by().values("loan_id")[:1]
    loan = _locked(_loans_for_update(user).filter(pk=Subquery(owner)))
    if loan is None:
        found(Installment.objects.filter(pk=installment_id).first(), "Installment not found.")
        raise NotFound("Loan not found.")
    return loan, Installment.objects.select_for_update().get(pk=installment_id)


def lock_loan(loan_id, user) -> Loan:
    return found(_locked(_loans_for_update(user).filter(pk=loan_id)), "Loan not found.")


def _loans_for_update(user):
    loans = Loan.objects.select_for_update(of=("self",)).select_related("product", "invoice")
    role = getattr(user, "role", None)
    if user is not None and role == Role.BORROWER:
        return loans.filter(borrower=user)
    if user is not None and role not in OPS_ROLES:  # a COLLECTOR works cases, not payments
        return loans.none()
    return loans


def _locked(loans) -> Loan | None:
    """The one loan `loans` names, locked, or None (unordered: a sort of one row is work)."""
    return next(iter(loans.order_by()[:1]), None)
