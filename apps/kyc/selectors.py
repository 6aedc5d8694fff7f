from apps.core.roles import Role
from apps.kyc.models import Business


def get_business_for_user(user) -> Business | None:
    return Business.objects.filter(owner=user).first()


def businesses_visible_to(user):
    """Borrowers see only their own business; staff see all."""
    if user.role == Role.BORROWER:
        return Business.objects.filter(owner=user)
    return Business.objects.all()
