from django.db.models import Count, Q

from apps.core.roles import OPS_ROLES, Role
from apps.invoices.models import Invoice


def invoices_visible_to(user):
    """Borrowers see their own business's invoices; OFFICER and ADMIN see all."""
    qs = Invoice.objects.select_related("business")
    if user.role == Role.BORROWER:
        return qs.filter(business__owner=user)
    # OFFICER and ADMIN; a COLLECTOR works cases, not the book (none here, as for anyone else).
    return qs if user.role in OPS_ROLES else qs.none()


def invoice_signals(business_ids) -> dict:
    """Invoice history per business for the credit score, in one grouped query."""
    rows = (
        Invoice.objects.filter(business_id__in=list(business_ids))
        .values("business_id")
        .annotate(
            verified=Count("id", filter=~Q(status__in=[Invoice.Status.UPLOADED, Invoice.Status.REJECTED])),
            rejected=Count("id", filter=Q(status=Invoice.Status.REJECTED)),
            buyers=Count("buyer_gstin", distinct=True),
        )
    )
    return {row.pop("business_id"): row for row in rows}
