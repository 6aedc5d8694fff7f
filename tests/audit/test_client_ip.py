"""X-Forwarded-For is believed only as deep as our own proxies wrote it."""

import pytest
from constance.test import override_config
from django.test import RequestFactory

from apps.audit.middleware import request_client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy of ours: the header is the client's own claim
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client forged the first hop
        (1, "203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer hops than proxies: not from our chain
        (1, "", "10.0.0.9"),
    ],
)
def test_client_ip_reads_only_the_hops_our_proxies_appended(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.9")
    assert request_client_ip(request) == expected


@pytest.mark.django_db
@override_config(OTP_IP_LIMIT_PER_HOUR=3)
def test_rotating_x_forwarded_for_does_not_escape_the_per_ip_otp_limit(api_client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [
        api_client.post(
            "/api/v1/auth/otp/send", {"phone": f"+9198765{n:05d}"}, format="json", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}"
        ).status_code
        for n in range(4)
    ]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
