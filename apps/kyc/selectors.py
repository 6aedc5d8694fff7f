from apps.core.errors import Conflict
from apps.core.roles import OPS_ROLES, Role
from apps.kyc.models import Business


def get_business_for_user(user) -> Business | None:
    return Business.objects.filter(owner=user).first()


def onboarded_business(user) -> Business:
    """The borrower's business, or 409 `not_onboarded`: what every "my business" endpoint needs."""
    business = get_business_for_user(user)
    if business is None:
        raise Conflict("Onboard your business first.", code="not_onboarded")
    return business


def businesses_visible_to(user):
    """Borrowers see only their own business; OFFICER and ADMIN see all."""
    if user.role == Role.BORROWER:
        return Business.objects.filter(owner=user)
    # OFFICER and ADMIN; a COLLECTOR works cases, not the book.
    return Business.objects.all() if user.role in OPS_ROLES else Business.objects.none()
