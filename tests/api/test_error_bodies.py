"""What schemathesis found outside the views: the answers Django itself gives under /api/."""

import datetime
import json

import pytest

from apps.core.api.admin_views import BusinessDateSerializer
from apps.core.errors import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/loans/null,null", "/api/v1/no-such-thing", "/api/v2/loans/my"])
def test_a_url_that_matches_no_route_under_api_answers_the_error_body(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_outside_the_api_django_keeps_its_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_unhandled_error_under_api_answers_the_error_body(rf):
    answer = server_error(rf.get("/api/v1/loans/my"))
    assert answer.status_code == 500
    assert answer["Content-Type"] == "application/json"
    assert json.loads(answer.content) == {"detail": "A server error occurred.", "code": "server_error"}
    assert server_error(rf.get("/admin/"))["Content-Type"].startswith("text/html")


def test_dates_have_four_digit_years():
    data = BusinessDateSerializer({"business_date": datetime.date(100, 3, 11)}).data
    assert data == {"business_date": "0100-03-11"}
