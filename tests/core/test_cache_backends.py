"""The Redis cache keeps one client per connection pool (Django builds one per call)."""

from apps.core.cache_backends import ReusedRedisClient, TimedRedisCache


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
