"""Django's own cache backends, timed for /metrics.

django-prometheus counts cache hits and misses but does not time them, and its Redis backend
needs django-redis; these subclasses of Django's built-in backends time every call instead.
"""

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
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


TimedRedisCache = _timed("redis", RedisCache)
TimedLocMemCache = _timed("locmem", LocMemCache)
