import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(api_client):
    response = api_client.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}
    assert response["X-Request-ID"]


def test_health_is_503_when_the_database_is_down(api_client, monkeypatch):
    from apps.core.api import views

    monkeypatch.setattr(views, "_check_database", lambda: "down")
    response = api_client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"


def test_request_id_is_echoed(api_client):
    response = api_client.get("/health", HTTP_X_REQUEST_ID="req-12345678")
    assert response["X-Request-ID"] == "req-12345678"
