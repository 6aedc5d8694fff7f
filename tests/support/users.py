"""Users as tests need them: a borrower or a staff user, with or without the role's admin group,
and an API client logged in as one."""

from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.tokens import tokens_for_user
from apps.core.roles import Role
from tests.support.factories import BorrowerFactory, StaffFactory


def make_user(role=Role.BORROWER, **kwargs) -> User:
    """A borrower (phone login) or a staff user of `role` outside the role's permission group:
    enough for the API, which goes by role; the admin wants `staff(role)`."""
    if role == Role.BORROWER:
        return BorrowerFactory(**kwargs)
    return StaffFactory(role=role, groups=[], **kwargs)


def staff(role: str) -> User:
    """A staff user in the permission group of `role`, as the admin site needs."""
    return StaffFactory(role=role)


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user)['access']}")
    return client
