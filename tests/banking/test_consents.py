"""Consents for bank data through the account aggregator: asked over the API, decided in the
sandbox aggregator's app, followed through our state machine from its signed answers."""

import datetime

import jwt
import pytest
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.banking.models import Consent, SandboxAaConsent
from apps.core.jobs_runner import run_job
from apps.core.models import Event
from tests.support.lending import verified_business

pytestmark = pytest.mark.django_db
CONSENTS = "/api/v1/aa/consents"


def _decide(client, handle, decision):
    return client.post(f"/sandbox/aa/consents/{handle}/{decision}")


def _statuses(business):
    return dict(Consent.objects.filter(business=business).values_list("bank", "status"))


def test_a_consent_goes_through_every_state(borrower, borrower_client, client):
    business = verified_business(borrower)
    assert {b["id"] for b in borrower_client.get("/api/v1/aa/banks").json()} >= {"HDFC", "ICICI", "SBI"}
    asked = borrower_client.post(CONSENTS, {"banks": ["HDFC", "ICICI", "SBI"], "months": 12}, format="json")
    assert asked.status_code == 201, asked.content
    assert [(c["bank"], c["status"]) for c in asked.json()] == [
        ("HDFC", "PENDING"),
        ("ICICI", "PENDING"),
        ("SBI", "PENDING"),
    ]
    hdfc, icici, sbi = asked.json()
    assert hdfc["approval_url"].endswith(f"/sandbox/aa/consents/{hdfc['consent_handle']}")
    assert (
        "Share your HDFC Bank statements"
        in client.get(f"/sandbox/aa/consents/{hdfc['consent_handle']}").content.decode()
    )

    # The borrower decides in the aggregator's app; we follow its signed word.
    assert _decide(client, hdfc["consent_handle"], "approve").json()["status"] == "ACTIVE"
    assert _decide(client, icici["consent_handle"], "reject").json()["status"] == "REJECTED"
    assert _statuses(business) == {"HDFC": "ACTIVE", "ICICI": "REJECTED", "SBI": "PENDING"}
    for decision, ours in (("pause", "PAUSED"), ("resume", "ACTIVE"), ("revoke", "REVOKED")):
        _decide(client, hdfc["consent_handle"], decision)
        assert _statuses(business)["HDFC"] == ours
    # Rejected is final at the aggregator too.
    assert _decide(client, icici["consent_handle"], "approve").status_code == 409

    # SBI's consent lapses unapproved: the poll (beat, every ten minutes) finds it EXPIRED.
    SandboxAaConsent.objects.filter(consent_handle=sbi["consent_handle"]).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    run = run_job("consents_poll", business_date=datetime.date.today(), triggered_by="test")
    assert run.status == "SUCCEEDED" and run.counts["changed"] == 1
    assert _statuses(business)["SBI"] == "EXPIRED"

    consent = Consent.objects.get(bank="HDFC")
    assert consent.artefact["status"] == "REVOKED" and consent.artefact["aud"] == "gst-credit-fiu"
    changes = AuditLog.objects.filter(action="banking.consent_changed", object_id=str(consent.pk))
    assert [row.after["status"] for row in changes.order_by("at", "id")] == ["ACTIVE", "PAUSED", "ACTIVE", "REVOKED"]
    assert Event.objects.filter(topic="banking.consent_changed").count() == 6  # HDFC 4, ICICI 1, SBI 1
    listed = borrower_client.get(CONSENTS).json()
    assert {c["bank"]: c["status"] for c in listed} == {"HDFC": "REVOKED", "ICICI": "REJECTED", "SBI": "EXPIRED"}


def test_asking_again_returns_the_open_consent_and_a_closed_one_can_be_asked_anew(borrower, borrower_client, client):
    verified_business(borrower)
    first = borrower_client.post(CONSENTS, {"banks": ["AXIS"]}, format="json").json()[0]
    again = borrower_client.post(CONSENTS, {"banks": ["AXIS", "AXIS"]}, format="json").json()
    assert [c["id"] for c in again] == [first["id"]]
    _decide(client, first["consent_handle"], "reject")
    anew = borrower_client.post(CONSENTS, {"banks": ["AXIS"]}, format="json").json()[0]
    assert anew["id"] != first["id"] and anew["status"] == "PENDING"


def test_refresh_polls_the_pending_consents(borrower, borrower_client):
    verified_business(borrower)
    consent = borrower_client.post(CONSENTS, {"banks": ["SBI"]}, format="json").json()[0]
    # The aggregator changed it and its notification never came.
    SandboxAaConsent.objects.filter(consent_handle=consent["consent_handle"]).update(status="ACTIVE")
    refreshed = borrower_client.post(f"{CONSENTS}/refresh").json()
    assert [(c["bank"], c["status"]) for c in refreshed] == [("SBI", "ACTIVE")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"banks": ["NOPE"]}, "banks"),
        ({"banks": []}, "banks"),
        ({"banks": ["HDFC"], "fi_types": ["MUTUAL_FUNDS"]}, "fi_types"),
        ({"banks": ["HDFC"], "months": 0}, "months"),
        ({"banks": ["HDFC"], "months": 25}, "months"),
    ],
)
def test_bad_requests_are_a_400_naming_the_field(borrower, borrower_client, body, field):
    verified_business(borrower)
    answer = borrower_client.post(CONSENTS, body, format="json")
    assert answer.status_code == 400 and field in answer.json()["errors"]
    assert not Consent.objects.exists()


def test_consents_need_an_onboarded_borrower(borrower_client, officer_client):
    assert borrower_client.post(CONSENTS, {"banks": ["HDFC"]}, format="json").json()["code"] == "not_onboarded"
    assert officer_client.get(CONSENTS).status_code == 403


def test_the_sandbox_aggregator_is_not_there_outside_the_sandbox(client, settings):
    settings.SANDBOX = False
    assert client.get("/sandbox/aa/jwks").status_code == 404
    assert client.post("/sandbox/aa/consents/sbx-x/approve").status_code == 404


def test_a_signed_notification_makes_us_ask_and_follow_and_a_forged_one_is_refused(
    borrower, borrower_client, client, api_client, monkeypatch, django_capture_on_commit_callbacks
):
    from cryptography.hazmat.primitives.asymmetric import ec

    from apps.banking import providers
    from apps.banking.services import consent_notified

    business = verified_business(borrower)
    handle = borrower_client.post(CONSENTS, {"banks": ["ICICI"]}, format="json").json()[0]["consent_handle"]
    # The borrower approves in the aggregator's app; its notification reaches us (not the
    # sandbox's in-process shortcut: its own record changes alone).
    SandboxAaConsent.objects.filter(consent_handle=handle).update(status="ACTIVE")
    queued = []
    monkeypatch.setattr("apps.banking.services._refresh_later", queued.append)
    notice = providers.sandbox_sign({"consent_handle": handle, "status": "ACTIVE"})
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_client.post("/api/v1/webhooks/aa", {"token": notice}, format="json")
    assert answer.status_code == 202 and answer.json() == {"received": True, "known": True}
    assert queued == [handle] and _statuses(business) == {"ICICI": "PENDING"}
    consent_notified(consent_handle=queued[0])  # the worker's part: ask, then follow
    assert _statuses(business) == {"ICICI": "ACTIVE"}
    # Replayed: asked again, the same answer, nothing moves twice.
    consent_notified(consent_handle=handle)
    assert AuditLog.objects.filter(action="banking.consent_changed").count() == 1

    impostor = ec.generate_private_key(ec.SECP256R1())
    forged = jwt.encode(
        {"iss": "sandbox-aa", "aud": "gst-credit-fiu", "iat": 0, "exp": 2**31, "consent_handle": handle},
        impostor,
        algorithm="ES256",
        headers={"kid": providers.SANDBOX_KID},
    )
    refused = api_client.post("/api/v1/webhooks/aa", {"token": forged}, format="json")
    assert refused.status_code == 401 and refused.json()["code"] == "signature_invalid"
    for bad in ({}, {"token": ""}, {"token": ["x"]}, {"token": "not.a.jwt"}):
        assert api_client.post("/api/v1/webhooks/aa", bad, format="json").status_code in (400, 401)
    unknown = api_client.post("/api/v1/webhooks/aa", {"token": providers.sandbox_sign({"consent_handle": "x"})})
    assert unknown.json() == {"received": True, "known": False}
