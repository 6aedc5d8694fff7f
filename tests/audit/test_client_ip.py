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


@pytest.mark.parametrize(
    ("forwarded", "remote", "expected"),
    [
        ("1.2.3.4:5555", "10.0.0.9", "1.2.3.4"),  # a port after the address
        ("[::1]:80", "10.0.0.9", "::1"),  # a bracketed IPv6 address with a port
        ("[2001:db8::1]", "10.0.0.9", "2001:db8::1"),
        ("2001:db8::1", "10.0.0.9", "2001:db8::1"),  # bare IPv6: its colons are not a port
        ('"203.0.113.7"', "10.0.0.9", "203.0.113.7"),  # quoted, as some proxies write it
        ("not-an-ip", "10.0.0.9", "10.0.0.9"),  # not an address: ignored
        ("1.2.3.4.5", "10.0.0.9", "10.0.0.9"),
        ("\x00", "10.0.0.9", "10.0.0.9"),
        ("not-an-ip", "also-not-an-ip", None),  # nothing usable at all: no address, no failure
    ],
)
def test_odd_forwarded_values_are_read_leniently(settings, forwarded, remote, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert request_client_ip(request) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("forwarded", ["1.2.3.4:5555", "[::1]:80", "not-an-ip"])
def test_an_odd_forwarded_header_never_fails_a_request(settings, api_client, admin_client, forwarded):
    """Before, the raw value went into the audit row's inet column and PostgreSQL refused it: a 500
    on OTP send, staff login and every audited write."""
    settings.TRUSTED_PROXY_COUNT = 1
    sent = api_client.post(
        "/api/v1/auth/otp/send", {"phone": "+919876500001"}, format="json", HTTP_X_FORWARDED_FOR=forwarded
    )
    assert sent.status_code == 200, sent.content
    login = api_client.post(
        "/api/v1/auth/token",
        {"username": "nobody", "password": "wrong-password"},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert login.status_code in (400, 401), login.content
    users = admin_client.post(
        "/api/v1/admin/users",
        {"username": f"officer-{abs(hash(forwarded))}", "password": "a-long-staff-password-1", "role": "OFFICER"},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert users.status_code == 201, users.content
