"""The real aggregator client against a local HTTP server that signs with a key it rotates:
only tokens signed by a published key, for us, from the aggregator, unexpired, are believed."""

import datetime
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from apps.banking import providers, statements
from apps.banking.jws import TokenRefused
from apps.banking.models import BankCall, BankTransaction, Consent
from apps.banking.providers import AggregatorUnavailable, HttpAggregator
from apps.banking.services import consents_refresh
from apps.banking.sync import bank_sync_start
from apps.core.http import JsonHttpClient
from tests.support.factories import BusinessFactory

HANDLE = "aa-handle-1"


class FakeAggregator:
    """Publishes a JWKS, signs consent answers, and takes a client-credentials token it may expire."""

    def __init__(self, server):
        self.server = server
        self.keys = {"k1": ec.generate_private_key(ec.SECP256R1())}
        self.signing_kid = "k1"
        self.claims = {}
        self.sign_with = None  # a key other than the published one: a forgery
        self.tokens_issued = 0
        server.routes[("POST", "/token")] = self.token
        server.routes[("GET", "/jwks")] = lambda payload, headers: (200, self.jwks())
        server.routes[("GET", f"/consents/{HANDLE}")] = self.consent
        server.routes[("GET", "/banks")] = self.banks

    def jwks(self):
        keys = []
        for kid, key in self.keys.items():
            public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
            keys.append({**public, "kid": kid, "alg": "ES256", "use": "sig"})
        return {"keys": keys}

    def rotate(self, kid):
        self.keys = {kid: ec.generate_private_key(ec.SECP256R1())}
        self.signing_kid = kid

    def token(self, payload, headers):
        assert payload == {"client_id": "gst-credit-fiu", "client_secret": "s3cret"}
        self.tokens_issued += 1
        return 200, {"access_token": f"t{self.tokens_issued}"}

    def _authorised(self, headers):
        return headers.get("Authorization") == f"Bearer t{self.tokens_issued}"

    def banks(self, payload, headers):
        if not self._authorised(headers):
            return 401, {"error": "expired"}
        return 200, {"banks": [{"id": "HDFC", "name": "HDFC Bank"}]}

    def consent(self, payload, headers):
        if not self._authorised(headers):
            return 401, {"error": "expired"}
        now = int(time.time())
        claims = {"iss": "test-aa", "aud": "gst-credit-fiu", "iat": now, "exp": now + 60}
        claims.update({"consent_handle": HANDLE, "status": "ACTIVE", "bank": "HDFC", **self.claims})
        key = self.sign_with or self.keys[self.signing_kid]
        return 200, {"token": jwt.encode(claims, key, algorithm="ES256", headers={"kid": self.signing_kid})}

    def jwks_fetches(self):
        return sum(1 for call in self.server.calls if call["path"] == "/jwks")


@pytest.fixture
def aggregator(http_server, settings):
    settings.AA_API_URL = http_server.url
    settings.AA_JWKS_URL = f"{http_server.url}/jwks"
    settings.AA_CLIENT_SECRET = "s3cret"
    settings.AA_ISSUER = "test-aa"
    settings.AA_JWKS_COOLDOWN_SECONDS = 0
    settings.SANDBOX = False
    providers._http_aggregator.cache_clear()
    yield FakeAggregator(http_server)
    providers._http_aggregator.cache_clear()


def test_a_signed_answer_is_believed_and_an_expired_bearer_token_is_replaced(aggregator):
    client = HttpAggregator()
    assert client.consent_status(HANDLE)["status"] == "ACTIVE"
    aggregator.tokens_issued += 1  # the aggregator expired our token: the next call gets a 401
    assert [bank.id for bank in client.banks()] == ["HDFC"]
    assert aggregator.tokens_issued == 3  # asked again once, after the 401


def test_a_rotated_key_is_fetched_when_its_kid_is_first_seen(aggregator):
    client = HttpAggregator()
    client.consent_status(HANDLE)
    assert aggregator.jwks_fetches() == 1
    client.consent_status(HANDLE)
    assert aggregator.jwks_fetches() == 1  # cached
    aggregator.rotate("k2")
    assert client.consent_status(HANDLE)["status"] == "ACTIVE"
    assert aggregator.jwks_fetches() == 2


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda a: setattr(a, "sign_with", ec.generate_private_key(ec.SECP256R1())), id="forged signature"),
        pytest.param(lambda a: a.claims.update(aud="another-fiu"), id="wrong audience"),
        pytest.param(lambda a: a.claims.update(iss="someone-else"), id="wrong issuer"),
        pytest.param(lambda a: a.claims.update(exp=int(time.time()) - 120), id="expired"),
        pytest.param(
            lambda a: (setattr(a, "sign_with", a.keys["k1"]), setattr(a, "signing_kid", "never-published")),
            id="unknown kid after refetch",
        ),
    ],
)
def test_a_token_that_does_not_verify_is_refused(aggregator, tamper):
    tamper(aggregator)
    with pytest.raises(TokenRefused):
        HttpAggregator().consent_status(HANDLE)


@pytest.mark.django_db
def test_a_refused_answer_leaves_the_consent_as_it_was(aggregator, caplog):
    consent = Consent.objects.create(
        business=BusinessFactory(), bank="HDFC", consent_handle=HANDLE, approval_url="https://aa.example/c",
        fi_types=["DEPOSIT"], months=12, purpose="underwriting", expires_at="2027-01-01T00:00:00Z",
    )  # fmt: skip
    aggregator.claims.update(aud="another-fiu")
    consents_refresh(consents=[consent])
    consent.refresh_from_db()
    assert consent.status == "PENDING"
    assert "aggregator token refused" in caplog.text
    aggregator.claims.clear()
    consents_refresh(consents=[consent])
    consent.refresh_from_db()
    assert consent.status == "ACTIVE"


def test_an_aggregator_that_does_not_answer_is_unavailable(aggregator, http_server):
    http_server.routes[("GET", "/banks")] = lambda payload, headers: (503, {})
    client = HttpAggregator()
    with pytest.raises(AggregatorUnavailable):
        client.banks()


class FakeBankData:
    """POST /fi/fetch on the fake aggregator: a signed statement, after `failures` 503s."""

    def __init__(self, aggregator, failures=0):
        self.aggregator, self.failures = aggregator, failures
        aggregator.server.routes[("POST", "/fi/fetch")] = self.fetch

    def fetch(self, payload, headers):
        if not self.aggregator._authorised(headers):
            return 401, {"error": "expired"}
        if self.failures:
            self.failures -= 1
            return 503, {}
        account = statements.sandbox_statement(
            pan="AAKCS1234M", bank="HDFC", date_to=datetime.date.fromisoformat(payload["to"]), months=3
        )
        now = int(time.time())
        claims = {"iss": "test-aa", "aud": "gst-credit-fiu", "iat": now, "exp": now + 60, **self.aggregator.claims}
        claims.update({"consent_handle": payload["consent_handle"], "bank": "HDFC", "accounts": [account]})
        key = self.aggregator.sign_with or self.aggregator.keys[self.aggregator.signing_kid]
        return 200, {"token": jwt.encode(claims, key, algorithm="ES256", headers={"kid": self.aggregator.signing_kid})}


@pytest.mark.django_db
def test_bank_data_over_http_retried_after_a_5xx_logged_and_stored_once(aggregator, monkeypatch):
    monkeypatch.setattr(JsonHttpClient, "sleep", staticmethod(lambda seconds: None))
    business = BusinessFactory()
    Consent.objects.create(
        business=business, bank="HDFC", consent_handle=HANDLE, approval_url="https://aa.example/c",
        fi_types=["DEPOSIT"], months=3, purpose="underwriting", expires_at="2027-01-01T00:00:00Z",
    )  # fmt: skip
    Consent.objects.filter(consent_handle=HANDLE).update(status="ACTIVE")
    data = FakeBankData(aggregator, failures=2)

    sync, _ = bank_sync_start(business=business, run_now=True)
    assert sync.status == "DONE" and sync.banks[0]["transactions"] > 50
    call = BankCall.objects.get(sync=sync)
    assert (call.bank, call.endpoint, call.ok, call.status, call.attempts) == ("HDFC", "fi/fetch", True, "200", 3)
    stored = BankTransaction.objects.filter(business=business).count()

    # The aggregator rotates its key: the new kid is fetched and the answer believed; nothing twice.
    aggregator.rotate("k2")
    again, _ = bank_sync_start(business=business, force=True, run_now=True)
    assert again.status == "DONE" and again.banks[0]["new_transactions"] == 0
    assert BankTransaction.objects.filter(business=business).count() == stored

    # Down past every retry, then a forged answer: both logged, the data stays as it was.
    data.failures = 3
    down, _ = bank_sync_start(business=business, force=True, run_now=True)
    aggregator.claims.update(aud="another-fiu")
    forged, _ = bank_sync_start(business=business, force=True, run_now=True)
    assert (down.status, forged.status) == ("FAILED", "FAILED")
    assert [c.status for c in BankCall.objects.filter(sync__in=[down, forged]).order_by("id")] == [
        "unreachable",
        "refused",
    ]
    assert BankTransaction.objects.filter(business=business).count() == stored
