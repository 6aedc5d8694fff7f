"""The suite runs with ENVIRONMENT=test, set here before Django reads the settings.

pytest-django reads the settings before any conftest.py when pyproject names the settings
module, and ENVIRONMENT has no default (settings fail closed), so this file, which pytest loads
first, names both and sets Django up itself.
"""

import os

import django

os.environ["ENVIRONMENT"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _own_redis_database(url: str, worker: int) -> str:
    """The same Redis, another database number: each test clears the cache (FLUSHDB), which
    must not wipe the rate-limit counters another worker's test is counting."""
    base, _, db = url.rpartition("/")
    number = int(db) if db.isdigit() else 0
    return f"{base}/{(number + 8 + 2 * worker) % 16}"


django.setup()

# Under pytest-xdist (`make test` runs two workers) each worker gets its own Redis databases;
# pytest-django gives each its own PostgreSQL test database (the _gw0, _gw1 suffixes). The
# settings are already read in a worker (pytest-django sets Django up from the environment the
# controller passed on), so they are changed here, before any cache or broker connection opens.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    from django.conf import settings
    from django.core.cache import caches

    for _cache in settings.CACHES.values():
        if str(_cache.get("LOCATION", "")).startswith("redis://"):
            _cache["LOCATION"] = _own_redis_database(_cache["LOCATION"], int(_worker[2:]))
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        from celery import current_app

        settings.CELERY_BROKER_URL = _own_redis_database(settings.CELERY_BROKER_URL, int(_worker[2:]))
        current_app.conf.broker_url = settings.CELERY_BROKER_URL
    caches.__dict__.pop("settings", None)  # read CACHES again on first use
    # The processes a test starts (a Celery worker, gunicorn) read the environment.
    for _name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(_name, "").startswith("redis://"):
            os.environ[_name] = _own_redis_database(os.environ[_name], int(_worker[2:]))
