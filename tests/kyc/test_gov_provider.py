import pytest

from apps.core.http import JsonHttpClient
from apps.kyc.models import Business, KycCheck
from apps.kyc.providers import HttpGovProvider
from tests.support.http_server import Hang
from tests.support.kyc import onboarding_payload

Outcome = KycCheck.Outcome


def provider(server, timeout=1.0):
    return HttpGovProvider(
        JsonHttpClient(server.url, headers={"X-Api-Key": "k"}, timeout=timeout, retries=1, backoff=0)
    )


def test_gstin_active_cancelled_and_not_found(http_server):
    http_server.routes[("POST", "/gstin/verify")] = lambda b, h: (200, {"status": "ACTIVE", "reference": "G1"})
    result = provider(http_server).verify_gstin(gstin="27AAPFU0939F1ZV", legal_name="X")
    assert (result.outcome, result.reference) == (Outcome.VERIFIED, "G1")
    http_server.routes[("POST", "/gstin/verify")] = lambda b, h: (200, {"status": "CANCELLED"})
    assert provider(http_server).verify_gstin(gstin="27AAPFU0939F1ZV", legal_name="X").outcome == Outcome.CANCELLED
    http_server.routes[("POST", "/gstin/verify")] = lambda b, h: (404, {})
    assert provider(http_server).verify_gstin(gstin="27AAPFU0939F1ZV", legal_name="X").outcome == Outcome.NOT_FOUND
    assert http_server.calls[0]["headers"]["X-Api-Key"] == "k"


def test_pan_name_mismatch(http_server):
    http_server.routes[("POST", "/pan/verify")] = lambda b, h: (200, {"valid": True, "name_match": False})
    assert provider(http_server).verify_pan(pan="AAPFU0939F", name="X").outcome == Outcome.NAME_MISMATCH


def test_timeout_is_unavailable(http_server):
    def hang(body, headers):
        raise Hang(1.0)

    http_server.routes[("POST", "/aadhaar/verify")] = hang
    result = provider(http_server, timeout=0.2).verify_aadhaar(aadhaar="234123412346")
    assert result.outcome == Outcome.UNAVAILABLE


@pytest.mark.django_db
def test_onboarding_against_a_service_that_times_out_goes_to_manual_review(http_server, settings, borrower_client):
    def hang(body, headers):
        raise Hang(1.0)

    for path in ("/gstin/verify", "/pan/verify", "/aadhaar/verify"):
        http_server.routes[("POST", path)] = hang
    settings.SANDBOX = False
    settings.GOV_API_URL = http_server.url
    from apps.kyc import providers

    real = providers.JsonHttpClient

    def fast_client(url, headers, timeout, retries):
        return real(url, headers=headers, timeout=0.2, retries=0)

    providers.JsonHttpClient, saved = fast_client, real
    try:
        response = borrower_client.post("/api/v1/kyc/onboard", onboarding_payload(), format="json")
    finally:
        providers.JsonHttpClient = saved
    assert response.status_code == 201
    assert response.json()["kyc_status"] == Business.KycStatus.MANUAL_REVIEW
    assert set(KycCheck.objects.values_list("outcome", flat=True)) == {"UNAVAILABLE"}
