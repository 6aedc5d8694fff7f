"""Django's own cache backends, timed for /metrics.

django-prometheus counts cache hits and misses but does not time them, and its Redis backend
needs django-redis; these subclasses of Django's built-in backends time every call instead.
"""

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from prometheus_client import Histogram

CACHE_SECONDS = Histogram(
    "gst_cache_operation_seconds",
    "Time spent in cache calls, by backend and operation.",
    ["backend", "operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
_TIMED = ("get", "set", "add", "delete", "get_many", "set_many", "delete_many", "incr", "touch", "has_key")


def _timed(backend: str, base: type) -> type:
    def wrap(name):
        original = getattr(base, name)
        histogram = CACHE_SECONDS.labels(backend, name)

        def method(self, *args, **kwargs):
            with histogram.time():
                return original(self, *args, **kwargs)

        method.__name__ = name
        return method

    return type(f"Timed{base.__name__}", (base,), {name: wrap(name) for name in _TIMED})


class ReusedRedisClient(RedisCacheClient):
    """Django's Redis client, keeping one `redis.Redis` per connection pool.

    Django builds a new `redis.Redis` for every cache call, and each construction fills a table
    of about 200 response callbacks: a third of a millisecond per call, several calls a request
    (the throttles, the live settings). A `redis.Redis` is safe to share between threads: it takes
    a connection from its pool for each command.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class _ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisClient


TimedRedisCache = _timed("redis", _ReusedClientRedisCache)
TimedLocMemCache = _timed("locmem", LocMemCache)
