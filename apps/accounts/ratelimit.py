"""Fixed-window counters in the cache (Redis when REDIS_URL is set): per phone, per IP."""

import time

from django.core.cache import cache

from apps.core.errors import RateLimited


def count(bucket: str, *, window_seconds: int) -> int:
    """Count one event in the current fixed window of `window_seconds`; how many so far, this one
    included (atomic: the cache's incr)."""
    window = int(time.time() // window_seconds)
    key = f"rl:{bucket}:{window}"
    cache.add(key, 0, timeout=window_seconds + 5)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window_seconds + 5)
        return 1


def hit(bucket: str, *, limit: int, window_seconds: int) -> None:
    """Count one event in the current window; 429 with Retry-After once over `limit`."""
    if count(bucket, window_seconds=window_seconds) > limit:
        window = int(time.time() // window_seconds)
        retry_after = (window + 1) * window_seconds - int(time.time())
        raise RateLimited("Too many requests; try again later.", retry_after=retry_after)


def cooldown(bucket: str, *, seconds: int) -> None:
    """At most one event per `seconds` for this bucket.

    The deadline is stored in the value and compared with the clock, rather than left to the
    cache's expiry, so the rule reads the same on every cache backend.
    """
    key, now = f"cd:{bucket}", int(time.time())
    if not cache.add(key, now + seconds, timeout=seconds + 5):
        until = int(cache.get(key) or 0)
        if until > now:
            raise RateLimited("Please wait before asking for another code.", retry_after=until - now)
        cache.set(key, now + seconds, timeout=seconds + 5)
