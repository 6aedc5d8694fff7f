import pytest
from django.apps import apps as django_apps
from django.db.models.signals import post_migrate
from rest_framework.test import APIClient

from apps.core.roles import Role
from tests.support.factories import AdminFactory, OfficerFactory
from tests.support.reference import seed_reference_data
from tests.support.users import client_for, make_user


def _reseed_after_flush(**kwargs):
    seed_reference_data()


# A transaction=True test ends with a flush, which takes the migration-seeded rows with it and
# then sends post_migrate. pytest-django runs those tests last, but pytest-xdist hands each
# worker whole files in no such order, so the rows are put back right after every flush.
post_migrate.connect(_reseed_after_flush, sender=django_apps.get_app_config("core"), dispatch_uid="tests.reseed")


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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """What migrations seed, put back once per session: a reused test database may have been
    flushed by the last transaction=True test of an earlier run. (Extends pytest-django's own
    fixture, so a run of tests that need no database sets none up and seeds nothing.)"""
    with django_db_blocker.unblock():
        seed_reference_data()


@pytest.fixture
def ledger_chart(transactional_db):
    """transaction=True tests flush the tables, the migration-seeded data with them (put back
    after each flush by _reseed_after_flush; this covers a database an earlier run left flushed)."""
    seed_reference_data()


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
