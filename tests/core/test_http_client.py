import pytest

from apps.core.http import JsonHttpClient, ProviderError, ProviderUnavailable
from tests.support.http_server import Hang


def _client(server, **kw):
    kw.setdefault("sleep", lambda s: None)
    client = JsonHttpClient(server.url, headers={"X-Api-Key": "k"}, timeout=kw.pop("timeout", 2), retries=2)
    client.sleep = kw["sleep"]
    return client


def test_posts_json_and_sends_headers(http_server):
    http_server.routes[("POST", "/echo")] = lambda body, headers: (200, {"got": body, "key": headers["X-Api-Key"]})
    response = _client(http_server).post("/echo", {"a": 1})
    assert response.status == 200
    assert response.body == {"got": {"a": 1}, "key": "k"}
    assert response.attempts == 1


def test_retries_5xx_with_backoff_then_succeeds(http_server):
    answers = iter([(503, {}), (502, {}), (200, {"ok": True})])
    http_server.routes[("POST", "/flaky")] = lambda body, headers: next(answers)
    sleeps = []
    response = _client(http_server, sleep=sleeps.append).post("/flaky", {})
    assert response.body == {"ok": True}
    assert response.attempts == 3
    assert sleeps == [0.2, 0.4]


def test_gives_up_after_retries(http_server):
    http_server.routes[("POST", "/down")] = lambda body, headers: (500, {})
    with pytest.raises(ProviderUnavailable):
        _client(http_server).post("/down", {})
    assert len(http_server.calls) == 3


def test_timeout_is_unavailable(http_server):
    def slow(body, headers):
        raise Hang(1.0)

    http_server.routes[("POST", "/slow")] = slow
    with pytest.raises(ProviderUnavailable):
        _client(http_server, timeout=0.2).post("/slow", {})


def test_client_error_is_not_retried(http_server):
    http_server.routes[("POST", "/bad")] = lambda body, headers: (422, {"error": "bad pan"})
    with pytest.raises(ProviderError) as info:
        _client(http_server).post("/bad", {})
    assert info.value.status == 422 and info.value.body == {"error": "bad pan"}
    assert len(http_server.calls) == 1
