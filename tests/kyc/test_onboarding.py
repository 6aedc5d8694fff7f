import logging

import pytest
from django.db import connection

from apps.demo.identifiers import make_aadhaar
from apps.kyc.models import Business, KycCheck
from tests.support.kyc import AADHAAR, onboarding_payload
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/kyc/onboard"


def test_checksum_valid_numbers_verify_and_aadhaar_is_kept_only_masked(borrower_client, caplog):
    caplog.set_level(logging.DEBUG)
    response = borrower_client.post(URL, onboarding_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kyc_status"] == "VERIFIED"
    assert body["aadhaar"] == f"XXXX XXXX {AADHAAR[-4:]}"
    assert body["state_code"] == "33"
    business = Business.objects.get(pk=body["id"])
    assert business.aadhaar_last4 == AADHAAR[-4:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(b)::text FROM kyc_business b")
        (row,) = cursor.fetchone()
        cursor.execute("SELECT string_agg(request_masked::text, ' ') FROM kyc_kyccheck")
        (checks,) = cursor.fetchone()
        cursor.execute("SELECT string_agg(after::text, ' ') FROM audit_auditlog")
        (audits,) = cursor.fetchone()
    for text in (row, checks, audits, caplog.text, response.content.decode()):
        assert AADHAAR not in text
    assert KycCheck.objects.filter(business=business).count() == 3
    assert borrower_client.get("/api/v1/businesses/me").json()["aadhaar"].startswith("XXXX")


@pytest.mark.parametrize(
    ("prefix", "status", "reason"),
    [
        ("ZZN", "REJECTED", "GSTIN: NOT_FOUND"),
        ("ZZC", "REJECTED", "GSTIN: CANCELLED"),
        ("ZZM", "MANUAL_REVIEW", "PAN: NAME_MISMATCH"),
        ("ZZT", "MANUAL_REVIEW", "GSTIN: UNAVAILABLE"),
    ],
)
def test_every_sandbox_outcome(borrower_client, prefix, status, reason):
    response = borrower_client.post(URL, onboarding_payload(prefix), format="json")
    assert response.status_code == 201
    assert response.json()["kyc_status"] == status
    assert reason in response.json()["kyc_reason"]


def test_second_onboarding_is_409(borrower_client):
    assert borrower_client.post(URL, onboarding_payload(), format="json").status_code == 201
    assert borrower_client.post(URL, onboarding_payload(n=2), format="json").status_code == 409


def test_the_same_gstin_for_another_borrower_is_409(borrower_client):
    borrower_client.post(URL, onboarding_payload(), format="json")
    other = client_for(make_user())
    assert other.post(URL, onboarding_payload(aadhaar=make_aadhaar(991)), format="json").status_code == 409


GOOD = onboarding_payload()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"gstin": GOOD["gstin"][:-1] + ("A" if GOOD["gstin"][-1] != "A" else "B")}, "gstin"),
        ({"gstin": "99" + GOOD["gstin"][2:]}, "gstin"),
        ({"gstin": "12345"}, "gstin"),
        ({"gstin": "00" + GOOD["gstin"][2:]}, "gstin"),
        ({"pan": "ABCDE1234"}, "pan"),
        ({"pan": "1BCDE1234F"}, "pan"),
        ({"pan": "ABCPK9999Z"}, "pan"),
        ({"aadhaar": "234123412345"}, "aadhaar"),
        ({"aadhaar": "123412341234"}, "aadhaar"),
        ({"aadhaar": "2341234123"}, "aadhaar"),
        ({"legal_name": ""}, "legal_name"),
        ({"address": ""}, "address"),
    ],
)
def test_invalid_numbers_are_400_naming_the_field_and_store_nothing(borrower_client, overrides, field):
    response = borrower_client.post(URL, {**onboarding_payload(), **overrides}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Business.objects.count() == 0


def test_a_palindromic_aadhaar_is_refused_even_with_a_valid_check_digit(borrower_client):
    from stdnum import verhoeff

    palindrome = "200009900002"
    assert verhoeff.checksum(palindrome) == 0
    response = borrower_client.post(URL, onboarding_payload(aadhaar=palindrome), format="json")
    assert response.status_code == 400
    assert "aadhaar" in response.json()["errors"]


def test_staff_cannot_onboard(officer_client):
    assert officer_client.post(URL, onboarding_payload(), format="json").status_code == 403
