import pytest

from apps.core.roles import Role
from tests.support.users import staff


@pytest.fixture
def officer_web(client):
    """The test client logged in to the admin as an OFFICER (in the OFFICER group)."""
    client.force_login(staff(Role.OFFICER))
    return client


@pytest.fixture
def admin_web(client):
    """The test client logged in to the admin as an ADMIN (in the ADMIN group)."""
    client.force_login(staff(Role.ADMIN))
    return client
