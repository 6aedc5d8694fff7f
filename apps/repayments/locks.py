"""Row locks in the one order every money path takes: loan, then its installments."""

from apps.core.errors import found
from apps.core.roles import OPS_ROLES, Role
from apps.loans.models import Installment, Loan


def lock_installment(installment_id, user) -> tuple[Loan, Installment]:
    loan_id = found(
        Installment.objects.filter(pk=installment_id).values_list("loan_id", flat=True).first(),
        "Installment not found.",
    )
    loan = lock_loan(loan_id, user)
    return loan, Installment.objects.select_for_update().get(pk=installment_id)


def lock_loan(loan_id, user) -> Loan:
    loans = Loan.objects.select_for_update(of=("self",)).select_related("product", "invoice")
    role = getattr(user, "role", None)
    if user is not None and role == Role.BORROWER:
        loans = loans.filter(borrower=user)
    elif user is not None and role not in OPS_ROLES:  # a COLLECTOR works cases, not payments
        loans = loans.none()
    loan = found(loans.filter(pk=loan_id).first(), "Loan not found.")
    return loan
