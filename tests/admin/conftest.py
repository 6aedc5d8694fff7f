import pytest

from tests.support.factories import AdminFactory, OfficerFactory


@pytest.fixture
def officer_web(client):
    """The test client logged in to the admin as an OFFICER (in the OFFICER group)."""
    client.force_login(OfficerFactory())
    return client


@pytest.fixture
def admin_web(client):
    """The test client logged in to the admin as an ADMIN (in the ADMIN group)."""
    client.force_login(AdminFactory())
    return client
