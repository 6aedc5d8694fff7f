"""The Redis cache keeps one client per connection pool (Django builds one per call), and both
backends keep the throttle's rate windows."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from apps.core.cache_backends import RateWindow, ReusedRedisClient, TimedLocMemCache, TimedRedisCache


def test_the_redis_cache_reuses_one_client_per_pool():
    backend = TimedRedisCache("redis://127.0.0.1:6399/0", {})  # nothing connects until a command
    client = backend._cache
    assert isinstance(client, ReusedRedisClient)
    first = client.get_client("a", write=True)
    assert client.get_client("b", write=True) is first
    assert client.get_client("c") is first  # one server: reads and writes share its pool
    assert first.connection_pool is client._get_connection_pool(True)


def test_replicas_each_get_their_own_client():
    client = ReusedRedisClient(["redis://127.0.0.1:6399/0", "redis://127.0.0.1:6398/0"])
    writer, reader = client.get_client(write=True), client.get_client()
    assert writer is not reader
    assert reader.connection_pool is not writer.connection_pool
    assert client.get_client() is reader


# Rate windows: the throttle's one call (apps/accounts/throttles.py), on both backends.

# Every test empties the shared cache (conftest's FLUSHDB), in every xdist worker at once: the
# windows here, which must outlive a few seconds of sleep, live in a database of the same Redis
# that no test empties, under a prefix of their own.
PRIVATE_REDIS_DB = 15


def _redis_caches(name: str, count: int = 1) -> list[TimedRedisCache]:
    """`count` clients of one fresh store (a new prefix), as so many web processes have."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    url = urlsplit(settings.REDIS_URL)._replace(path=f"/{PRIVATE_REDIS_DB}").geturl()
    prefix = f"{name}-{uuid.uuid4()}"
    return [TimedRedisCache(url, {"KEY_PREFIX": prefix}) for _ in range(count)]


@pytest.fixture(params=["locmem", "redis"])
def backend(request):
    if request.param == "locmem":
        cache = TimedLocMemCache(f"windows-{uuid.uuid4()}", {})
    else:
        (cache,) = _redis_caches("windows")
    return cache  # a fresh prefix or location each test; Redis expires the windows itself


def test_a_window_takes_its_limit_then_says_how_long_to_wait(backend):
    window = RateWindow("w", limit=3, seconds=60)
    assert [backend.rate_windows_hit([window]) for _ in range(3)] == [0, 0, 0]
    wait = backend.rate_windows_hit([window])
    assert 59 < wait <= 60
    assert backend.rate_windows_hit([RateWindow("other", limit=3, seconds=60)]) == 0


@pytest.mark.parametrize("full_first", [True, False])
def test_a_request_refused_by_one_window_is_counted_in_none(backend, full_first):
    narrow, wide = RateWindow("narrow", limit=1, seconds=60), RateWindow("wide", limit=4, seconds=60)
    windows = [narrow, wide] if full_first else [wide, narrow]
    assert backend.rate_windows_hit(windows) == 0
    assert backend.rate_windows_hit(windows) > 0
    assert backend.rate_windows_hit(windows) > 0
    # The wide window holds one request, not three: three more fit, then it is full.
    assert [backend.rate_windows_hit([wide]) for _ in range(3)] == [0, 0, 0]
    assert backend.rate_windows_hit([wide]) > 0


def test_a_lowered_limit_waits_for_the_request_that_must_leave_the_window(backend):
    # Three requests a second apart, then the limit cut to two live: the request must wait
    # until the second of the three leaves the window (not the first, not the last).
    window = RateWindow("cut", limit=5, seconds=60)
    for _ in range(3):
        assert backend.rate_windows_hit([window]) == 0
        time.sleep(1)
    wait = backend.rate_windows_hit([window._replace(limit=2)])
    # 60 - 2 (the second came two seconds ago), less any lateness of the sleeps; the first
    # would say 57, the last 59.
    assert 57.4 < wait < 58.6, wait


def test_a_limit_of_nought_refuses_for_a_whole_window(backend):
    assert backend.rate_windows_hit([RateWindow("shut", limit=0, seconds=60)]) == 60


def test_a_window_slides(backend):
    window = RateWindow("slide", limit=1, seconds=1)
    assert backend.rate_windows_hit([window]) == 0
    assert 0 < backend.rate_windows_hit([window]) <= 1
    time.sleep(1.05)
    assert backend.rate_windows_hit([window]) == 0


def _race(caches, window) -> tuple[int, int]:
    """Each cache hits the window five times, all starting together: (requests let in, sent)."""
    barrier = threading.Barrier(len(caches))

    def hit(cache):
        barrier.wait()
        return [cache.rate_windows_hit([window]) for _ in range(5)]

    with ThreadPoolExecutor(len(caches)) as pool:
        waits = [wait for waits in pool.map(hit, caches) for wait in waits]
    return waits.count(0), len(waits)


def test_processes_racing_for_the_last_places_get_exactly_the_limit():
    window = RateWindow("race", limit=10, seconds=60)
    caches = _redis_caches("race", 8)  # one client per thread, as each web process has its own
    assert _race(caches, window) == (10, 40)


def test_the_window_lives_under_the_caches_key_and_expires_with_its_span():
    (cache,) = _redis_caches("ttl")
    assert cache.rate_windows_hit([RateWindow("w", limit=3, seconds=60)]) == 0
    client = cache._cache.get_client(write=True)
    assert 0 < client.pttl(cache.make_and_validate_key("w")) <= 60_000
    assert client.zcard(cache.make_and_validate_key("w")) == 1
    # Redis restarted or its scripts flushed: the script is loaded again, not an error.
    client.script_flush()
    assert cache.rate_windows_hit([RateWindow("w", limit=3, seconds=60)]) == 0
    assert client.zcard(cache.make_and_validate_key("w")) == 2


def test_threads_of_one_process_racing_in_memory_get_exactly_the_limit():
    location, window = f"race-{uuid.uuid4()}", RateWindow("race", limit=10, seconds=60)
    caches = [TimedLocMemCache(location, {}) for _ in range(8)]  # one store, as Django's threads share
    for cache in caches:
        read = cache.get

        def slow_read(*args, _read=read, **kwargs):  # hands the GIL over between the read and the write
            value = _read(*args, **kwargs)
            time.sleep(0.001)
            return value

        cache.get = slow_read
    assert _race(caches, window) == (10, 40)
