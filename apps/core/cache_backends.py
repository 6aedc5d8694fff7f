"""Django's own cache backends, timed for /metrics, with one operation of ours: rate windows.

django-prometheus counts cache hits and misses but does not time them, and its Redis backend
needs django-redis; these subclasses of Django's built-in backends time every call instead.

`rate_windows_hit(windows)` is the request throttle's one call (apps/accounts/throttles.py):
it checks every sliding window a request falls in (per user and per IP) and, only if none is
full, records the request in all of them, as one step. On Redis that step is a Lua script, so
it is atomic across every web process and costs one round trip; Django's get-then-set would
cost two per window and let two processes both take the last place. It needs Redis 5 or later
(a script that reads TIME before it writes) on one node: the windows of a request are two keys,
which a Redis Cluster could put in different slots (Django's RedisCache does not speak Cluster).
"""

import os
import threading
import time
from typing import NamedTuple

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from prometheus_client import Histogram

CACHE_SECONDS = Histogram(
    "gst_cache_operation_seconds",
    "Time spent in cache calls, by backend and operation.",
    ["backend", "operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
_TIMED = (
    "get",
    "set",
    "add",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "incr",
    "touch",
    "has_key",
    "rate_windows_hit",
)


class RateWindow(NamedTuple):
    """At most `limit` requests in any `seconds`, counted under `key`."""

    key: str
    limit: int
    seconds: int


# KEYS: one sorted set per window, its members the requests, scored by their time in ms.
# ARGV: limit and seconds of each window in the order of KEYS, then this request's member.
# Returns 0 when the request was recorded in every window, else the ms until it would fit in all.
# Redis's own clock (TIME) is the one clock of every web process. A limit of 0 (a scope shut
# during an attack) refuses everything for a whole window.
_RATE_WINDOWS_LUA = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local span = tonumber(ARGV[2 * i]) * 1000
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  local count = redis.call('ZCARD', key)
  if limit <= 0 then
    wait = math.max(wait, span)
  elseif count >= limit then
    local blocking = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, tonumber(blocking[2]) + span - now, 1)
  end
end
if wait > 0 then
  return wait
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[#ARGV])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i]) * 1000)
end
return 0
"""


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
        self._rate_scripts = {}

    def rate_windows_hit(self, windows: list[RateWindow]) -> float:
        """Seconds until the request fits in every window (nothing recorded), or 0 (recorded)."""
        client = self._cache.get_client(write=True)
        script = self._rate_scripts.get(id(client))
        if script is None:
            script = self._rate_scripts[id(client)] = client.register_script(_RATE_WINDOWS_LUA)
        keys = [self.make_and_validate_key(window.key) for window in windows]
        args = [value for window in windows for value in (window.limit, window.seconds)]
        # The member only has to differ from the other requests of the same window: 8 random bytes.
        return int(script(keys=keys, args=[*args, os.urandom(8)])) / 1000


class _WindowedLocMemCache(LocMemCache):
    """The same windows in one process's memory (development without Redis): a lock makes the
    check and the record one step within the process, which is all a local cache spans."""

    _windows_lock = threading.Lock()

    def rate_windows_hit(self, windows: list[RateWindow]) -> float:
        with self._windows_lock:
            now = time.time()
            histories = [[at for at in self.get(window.key, []) if at > now - window.seconds] for window in windows]
            wait = 0.0
            for window, history in zip(windows, histories, strict=True):
                if window.limit <= 0:
                    wait = max(wait, float(window.seconds))
                elif len(history) >= window.limit:
                    wait = max(wait, history[len(history) - window.limit] + window.seconds - now, 0.001)
            if wait:
                return wait
            for window, history in zip(windows, histories, strict=True):
                self.set(window.key, [*history, now], window.seconds)
            return 0.0


TimedRedisCache = _timed("redis", _ReusedClientRedisCache)
TimedLocMemCache = _timed("locmem", _WindowedLocMemCache)
