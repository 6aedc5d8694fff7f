import pytest
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.tokens import tokens_for_user
from apps.core.roles import Role

_phone_seq = iter(range(10_000_000))


def make_user(role=Role.BORROWER, **kwargs) -> User:
    if role == Role.BORROWER:
        n = next(_phone_seq)
        kwargs.setdefault("phone", f"+9198{n:08d}")
        kwargs.setdefault("username", kwargs["phone"])
    else:
        kwargs.setdefault("username", f"{role.lower()}-{next(_phone_seq)}")
        kwargs.setdefault("is_staff", True)
    user = User(role=role, **kwargs)
    user.set_password(kwargs.pop("password", "a-long-test-password"))
    user.save()
    return user


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user)['access']}")
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def borrower(db):
    return make_user(Role.BORROWER)


@pytest.fixture
def officer(db):
    return make_user(Role.OFFICER)


@pytest.fixture
def admin_user(db):
    return make_user(Role.ADMIN)


@pytest.fixture
def borrower_client(borrower):
    return client_for(borrower)


@pytest.fixture
def officer_client(officer):
    return client_for(officer)


@pytest.fixture
def admin_client(admin_user):
    return client_for(admin_user)


@pytest.fixture
def http_server():
    from tests.support.http_server import LocalHttpServer

    with LocalHttpServer() as server:
        yield server
