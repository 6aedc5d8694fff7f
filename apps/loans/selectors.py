from apps.core.errors import Conflict
from apps.core.roles import OPS_ROLES, Role
from apps.loans.contract import ContractTerms
from apps.loans.models import Loan, LoanApplication, LoanProduct
from apps.loans.pricing import priced_terms
from apps.loans.schedule import ScheduleLine


def applications_visible_to(user):
    """A borrower's own applications (another's is a 404); OFFICER and ADMIN see all."""
    queryset = LoanApplication.objects.prefetch_related("offers__collaterals")
    if user.role == Role.BORROWER:
        return queryset.filter(business__owner=user)
    return queryset if user.role in OPS_ROLES else queryset.none()


def loans_visible_to(user):
    """Borrowers see their own loans (another's is a 404); OFFICER and ADMIN see all."""
    qs = Loan.objects.select_related("business", "invoice", "product")
    if user.role == Role.BORROWER:
        return qs.filter(borrower=user)
    # OFFICER and ADMIN; a COLLECTOR works cases, not the book (none here, as for anyone else).
    return qs if user.role in OPS_ROLES else qs.none()


def contract_terms(loan: Loan) -> ContractTerms:
    installments = loan.installments.order_by("number")
    balance = loan.principal
    schedule = []
    for inst in installments:
        schedule.append(ScheduleLine(inst.number, inst.due_date, balance, inst.principal_due, inst.interest_due))
        balance -= inst.principal_due
    business = loan.business
    return ContractTerms(
        loan_reference=str(loan.pk),
        borrower_name=business.owner_name,
        business_name=business.legal_name,
        gstin=business.gstin,
        invoice_number=loan.invoice.invoice_number,
        product_name=loan.product.name,
        **priced_terms(loan),
        disbursed_amount=loan.disbursed_amount,
        sanctioned_on=loan.sanctioned_on,
        bounce_charge=loan.product.bounce_charge,
        penal_rate_pct=loan.product.penal_rate_pct,
        offer_type=loan.offer_type,
        schedule=tuple(schedule),
    )


def loan_product_active() -> LoanProduct | None:
    """The product new offers are priced on: the first active one by code (one product today;
    applications name theirs)."""
    return LoanProduct.objects.filter(is_active=True).order_by("code").first()


def loan_product_for_offers() -> LoanProduct:
    """loan_product_active, or 409 `no_product` when none is open."""
    product = loan_product_active()
    if product is None:
        raise Conflict("No loan product is open for new offers.", code="no_product")
    return product
