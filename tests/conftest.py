import pytest
from rest_framework.test import APIClient

from apps.core.roles import Role
from tests.support.users import client_for, make_user


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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Hashing strength is Django's concern, not this suite's; PBKDF2 would dominate its run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test stores files in its own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _seed_reference_data():
    from django.apps import apps

    from apps.accounts.groups import sync_role_groups
    from apps.core.schedules import install
    from apps.ledger.chart import seed_chart
    from apps.ledger.models import Account
    from apps.repayments.migrations_seed import seed_nach_codes
    from apps.repayments.models import NachReturnCode
    from tests.support.lending import ensure_products

    seed_chart(Account)
    ensure_products()
    seed_nach_codes(NachReturnCode)
    sync_role_groups()
    install(apps)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """What migrations seed, put back once per session: a reused test database may have been
    flushed by the last transaction=True test of an earlier run. (Extends pytest-django's own
    fixture, so a run of tests that need no database sets none up and seeds nothing.)"""
    with django_db_blocker.unblock():
        _seed_reference_data()


@pytest.fixture
def ledger_chart(transactional_db):
    """transaction=True tests flush the tables, the migration-seeded data with them; pytest-django
    runs them last, so only they need it back."""
    _seed_reference_data()
