"""Schemathesis holds the server to its own OpenAPI document.

Why schemathesis: the contract (/api/schema/) is what partners generate clients from, and
hand-written tests only prove the cases someone thought of. Schemathesis reads the document
and, for every operation, sends requests built from it (the boundary values of its coverage
phase, then Hypothesis-generated valid and invalid bodies, queries, headers and path
parameters) and fails on any 5xx or any answer the document does not describe: an undocumented
status, a body that does not match its schema, a wrong Content-Type.

Every operation runs three times — anonymous, as a borrower, as an admin — against a live
server (pytest-django's LiveServer: the real WSGI stack in a thread, on the PostgreSQL test
database) that has data to find: the demo borrower's verified business, collateral, invoices,
offers, a loan and a KYC document, a second loan defaulted by two bounces and under recovery,
and another borrower's loan (which must stay a 404 for the first). Path parameters and body
ids are drawn partly from those rows, so that the fuzzing reaches past "404 not found". The
multipart upload (POST /kyc/documents) is fuzzed like the rest: schemathesis generates its
form fields and file bytes itself.

Two hand-built parts complete it, checked by the same schemathesis checks: a happy path through
the API (random inputs seldom satisfy every business rule, so most success bodies are
validated there) and one 429 provoked on purpose (random inputs seldom trip a rate limit).

The run is bounded and reproducible: a fixed seed, derandomized generation, no example
database and at most MAX_EXAMPLES generated cases per operation in the fuzzing phase (the
coverage phase adds its own deterministic boundary cases). All of it takes about two and a half
minutes on two cores.
"""

import functools
import io
import os
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import requests
import schemathesis
from constance.test import override_config
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test.utils import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import strategies as st
from pytest_django.live_server_helper import LiveServer
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.models import User
from apps.accounts.tokens import tokens_for_user
from apps.collections.services import recovery_initiate
from apps.core.business_date import get_business_date
from apps.core.jobs import JOBS
from apps.demo.identifiers import make_aadhaar, make_gstin, make_pan
from apps.demo.management.commands.seed_demo import DEMO_BORROWER_PHONE
from apps.kyc.models import Business
from apps.kyc.services import kyc_document_upload
from apps.ledger import chart
from apps.ledger.models import JournalEntry
from apps.loans.models import Loan, Offer
from apps.repayments.services import emi_bounce
from tests.support.ledger import post
from tests.support.lending import invoice_payload, make_loan
from tests.support.reference import seed_reference_data

# The module's server commits its own rows (see `api`); the marker only makes pytest-django set
# up the test database, and the tests themselves touch it only through HTTP.
pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    # Documented response headers, i.e. Retry-After on every 429.
    response_headers_conformance,
]
# CI runs the defaults; a deeper local hunt: SCHEMATHESIS_MAX_EXAMPLES=200 SCHEMATHESIS_SEED=7 pytest tests/api
# (SCHEMATHESIS_LOG=path appends "role, operation, status" for every request sent).
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20260101"))
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))
TOKEN_RENEWAL_SECONDS = 5 * 60
OTP_TEST_CODE = "424242"  # the sandbox's fixed code, so the happy path can log a borrower in
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        # Hypothesis's health checks judge the speed of generating data, which a loaded CI machine
        # can fail at random; they say nothing about the API.
        "suppress-health-check": ["all"],
        # One request per example; chains of calls (the stateful phase) are the CLI's business.
        "phases": {"stateful": {"enabled": False}},
    }
)

# The document /api/schema/ serves (test_the_fuzzed_document_is_the_served_one holds them equal),
# generated in-process because schemathesis builds one pytest item per operation at collection.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True), config=CONFIG)

# Rows of the live server's data, by kind, filled by the `api` fixture.
KNOWN: dict[str, list[str]] = {}

# Which rows a path's {id} (or {name}) can be; the first matching pattern wins.
PATH_ROWS = [
    (r"/repayments/emi/", "emi"),
    (r"/repayments/loan/|/loans/\{id\}|/admin/loans/", "loan"),
    (r"/invoices/\{id\}|/offers/invoice/", "invoice"),
    (r"/businesses/\{id\}", "business"),
    (r"/kyc/documents/", "document"),
    (r"/recovery/\{id\}", "recovery"),
    (r"/admin/users/\{id\}", "user"),
    (r"/admin/jobs/\{name\}", "job"),
    (r"/admin/ledger/entries/", "entry"),
]
BODY_ROWS = {"invoice_id": "invoice", "offer_id": "offer", "loan_id": "loan"}


def _sometimes_known(values: dict, key: str, kind: str):
    """`values` as generated, or with `key` set to one of the known rows of `kind`."""
    known = KNOWN.get(kind, [])
    return st.sampled_from([values[key], *known]).map(lambda value: {**values, key: value})


@schema.hooks.hook("flatmap_path_parameters")
def known_path_rows(ctx, parameters):
    for pattern, kind in PATH_ROWS:
        if parameters and re.search(pattern, ctx.operation.path):
            return _sometimes_known(parameters, next(iter(parameters)), kind)
    return st.just(parameters)


@schema.hooks.hook("flatmap_body")
def known_body_rows(ctx, body):
    for name, kind in BODY_ROWS.items():
        if isinstance(body, dict) and name in body:
            return _sometimes_known(body, name, kind)
    return st.just(body)


def _world() -> dict[str, list[str]]:
    """The rows the authenticated runs can find, made through the services like the demo data."""
    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    borrower = User.objects.get(username=DEMO_BORROWER_PHONE)
    business = Business.objects.get(owner=borrower)
    loan = Loan.objects.get(borrower=borrower)
    document = kyc_document_upload(
        business=business,
        doc_type="PAN_CARD",
        upload=SimpleUploadedFile("pan.pdf", PDF, content_type="application/pdf"),
        actor=borrower,
    )
    defaulted = make_loan(borrower, amount="60000.00")
    first, second = defaulted.installments.order_by("number")[:2]
    emi_bounce(installment_id=first.pk, code="04", actor=admin)
    emi_bounce(installment_id=second.pk, code="04", actor=admin)
    recovery = recovery_initiate(loan_id=defaulted.pk, action_type="LEGAL_NOTICE", notes="", actor=admin)
    stranger_loan = make_loan()
    # A ledger-only entry (between our own bank accounts) a reversal may be asked for, and one
    # the loan mirrors (refused with 409).
    sweep = post(
        "schemathesis-sweep",
        debit=chart.BANK_DISBURSEMENT,
        credit=chart.BANK_COLLECTIONS,
        business_date=get_business_date(),
    )
    disbursement = JournalEntry.objects.get(loan_id=stranger_loan.pk, entry_type="DISBURSEMENT")
    loans = [loan, defaulted, stranger_loan]
    invoices = [*business.invoices.order_by("invoice_number"), stranger_loan.invoice]
    return {
        "loan": [str(x.pk) for x in loans],
        "emi": [str(i.pk) for x in loans for i in x.installments.order_by("number")[:3]],
        "invoice": [str(x.pk) for x in invoices],
        "offer": [
            str(x.pk) for x in Offer.objects.filter(invoice__in=invoices).order_by("invoice__created_at", "type")
        ],
        "business": [str(business.pk), str(stranger_loan.business_id)],
        "document": [str(document.pk)],
        "recovery": [str(recovery.pk)],
        # Another borrower only: a run that froze the demo borrower or the admin would test little more.
        "user": [str(stranger_loan.borrower_id)],
        "job": sorted(JOBS),
        "entry": [str(sweep.pk), str(disbursement.pk)],
    }


@dataclass
class Api:
    url: str
    users: dict[str, User]
    _tokens: dict[str, tuple[str, float]] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """The role's Authorization header, with an access token minted again before it expires
        (they live 15 minutes; a deep local run takes longer)."""
        if role == "anonymous":
            return {}
        token, minted = self._tokens.get(role, ("", 0.0))
        if time.monotonic() - minted > TOKEN_RENEWAL_SECONDS:
            token, minted = tokens_for_user(self.users[role])["access"], time.monotonic()
            self._tokens[role] = (token, minted)
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def api(django_db_setup, django_db_blocker, tmp_path_factory):
    """A live server and its data for the whole module, and the test database as it was after."""
    storages = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("media"))},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The fuzzing sends thousands of requests a minute from one address: request rates are
    # raised so that the hand-built paths are never throttled (a 429 is documented everywhere,
    # so one would still keep the contract; test_a_rate_limited_answer... provokes one).
    rates = {key: "1000000/minute" for key in settings.CONSTANCE_CONFIG if key.startswith("THROTTLE_")}
    with (
        django_db_blocker.unblock(),
        # No dispatcher runs beside this server (OUTBOX_NOTIFY is off in tests), so the outbox's
        # lag only grows: /health/ready would turn 503 mid-run on a slow machine.
        override_settings(
            STORAGES=storages, PASSWORD_HASHERS=hashers, OTP_TEST_CODE=OTP_TEST_CODE, OUTBOX_MAX_LAG_SECONDS=86400
        ),
        override_config(**rates),
    ):
        server = None
        try:
            seed_reference_data()
            KNOWN.update(_world())
            users = {
                "borrower": User.objects.get(username=DEMO_BORROWER_PHONE),
                "admin": User.objects.get(username="admin"),
            }
            server = LiveServer("localhost")
            yield Api(url=server.url, users=users)
        finally:
            if server is not None:
                server.stop()
            KNOWN.clear()
            # Leave the database as the rest of the suite expects it: no rows but the reference data.
            call_command("flush", interactive=False, verbosity=0)
            ContentType.objects.clear_cache()  # flush made them anew, with new ids
            seed_reference_data()


# (role, method sent, path) → status codes answered: the last test reads it.
ANSWERS: dict[tuple[str, str, str], Counter] = defaultdict(Counter)


def _call(case, api, role):
    # The document download answers 302 to a signed URL, as documented; the file is not the contract.
    sent = {"base_url": api.url, "headers": api.headers(role), "allow_redirects": False}
    response = case.call(**sent)
    ANSWERS[role, case.method.upper(), case.operation.path][response.status_code] += 1
    if log := os.environ.get("SCHEMATHESIS_LOG"):
        with open(log, "a") as out:
            out.write(f"{role}\t{case.method.upper()} {case.operation.path}\t{response.status_code}\n")
    case.validate_response(response, checks=CHECKS, headers=sent["headers"], transport_kwargs=sent)


def _send(api, who, method, path, *, expect, path_parameters=None, query=None, body=None, headers=None):
    """One request built by hand, sent and checked by schemathesis like a generated one."""
    case = schema[path][method].Case(
        path_parameters=path_parameters or {},
        query=query,
        headers=headers,
        **({} if body is None else {"body": body, "media_type": "application/json"}),
    )
    auth = api.headers(who) if who in ("anonymous", *api.users) else {"Authorization": f"Bearer {who}"}
    response = case.call_and_validate(base_url=api.url, headers=auth, checks=CHECKS, allow_redirects=False)
    assert response.status_code == expect, (method, path, response.status_code, response.text)
    return response.json() if response.content else None


def test_the_happy_path_keeps_the_contract(api):
    """Random inputs seldom pass every business rule (a checksum-valid GSTIN, the foreclosure
    quote to the paisa), so most success answers are checked here, on requests a client would
    really send: every 2xx body below is validated against the document like a fuzzed one.
    It runs first, on its own borrower and rows, so the fuzzing after it finds the data as made."""
    send = functools.partial(_send, api)
    phone = "+919800000077"
    challenge = send("anonymous", "POST", "/api/v1/auth/otp/send", body={"phone": phone}, expect=200)
    login = send(
        "anonymous",
        "POST",
        "/api/v1/auth/otp/verify",
        body={"request_id": challenge["request_id"], "phone": phone, "otp": OTP_TEST_CODE},
        expect=200,
    )
    me = login["access"]
    send(me, "PUT", "/api/v1/users/me/device", body={"fingerprint": "pixel-8-0042", "platform": "android"}, expect=200)
    pan = make_pan(4242)
    business = send(
        me,
        "POST",
        "/api/v1/kyc/onboard",
        body={
            "legal_name": "Neem Textiles Private Limited",
            "owner_name": "Neha Rao",
            "gstin": make_gstin(pan, "29"),
            "pan": pan,
            "aadhaar": make_aadhaar(4242),
            "address": "4 Residency Road, Bengaluru",
        },
        expect=201,
    )
    assert business["kyc_status"] == "VERIFIED"
    send(
        me,
        "POST",
        "/api/v1/businesses/{id}/collaterals",
        path_parameters={"id": business["id"]},
        body={"type": "FIXED_DEPOSIT", "description": "FD 0042", "value": "150000.00"},
        expect=201,
    )
    account = {"account_number": "50100042424242", "ifsc": "SBIN0004242", "holder_name": business["legal_name"]}
    assert send(me, "POST", "/api/v1/businesses/me/bank-accounts", body=account, expect=201)["status"] == "VERIFIED"
    invoice = send(me, "POST", "/api/v1/invoices/add", body=invoice_payload(amount="90000.00"), expect=201)
    offers = send(me, "POST", "/api/v1/offers/generate", body={"invoice_id": invoice["id"]}, expect=201)["offers"]
    sanction = {"body": {"offer_id": offers[0]["id"]}, "headers": {"Idempotency-Key": "happy-path-0042"}}
    loan = send(me, "POST", "/api/v1/loans/sanction", **sanction, expect=201)
    assert send(me, "POST", "/api/v1/loans/sanction", **sanction, expect=201) == loan  # replayed
    on_loan = {"path_parameters": {"id": loan["id"]}}
    emis = send(me, "GET", "/api/v1/repayments/loan/{id}/emis", **on_loan, expect=200)
    send(me, "POST", "/api/v1/repayments/emi/{id}/pay", path_parameters={"id": emis[0]["id"]}, body={}, expect=201)
    send(
        "admin",
        "POST",
        "/api/v1/repayments/emi/{id}/bounce",
        path_parameters={"id": emis[1]["id"]},
        body={"reason": "04"},
        expect=201,
    )
    send(me, "GET", "/api/v1/repayments/loan/{id}/history", **on_loan, expect=200)
    quote = send(me, "GET", "/api/v1/repayments/loan/{id}/foreclosure-quote", **on_loan, expect=200)
    send(me, "POST", "/api/v1/repayments/loan/{id}/foreclose", **on_loan, body={"amount": quote["total"]}, expect=201)
    refreshed = send("anonymous", "POST", "/api/v1/auth/token/refresh", body={"refresh": login["refresh"]}, expect=200)
    send(me, "POST", "/api/v1/auth/logout", body={"refresh": refreshed["refresh"]}, expect=204)

    # Staff: a login, a new officer frozen and unfrozen, an override, a recovery, the day, a job.
    credentials = {"username": "admin", "password": "admin-demo-pass"}
    send("anonymous", "POST", "/api/v1/auth/token", body=credentials, expect=200)
    officer = send(
        "admin",
        "POST",
        "/api/v1/admin/users",
        body={"username": "officer-0042", "password": "a-long-officer-password", "role": "OFFICER"},
        expect=201,
    )
    on_officer = {"path_parameters": {"id": officer["id"]}}
    send("admin", "POST", "/api/v1/admin/users/{id}/freeze", **on_officer, body={"reason": "left"}, expect=200)
    send("admin", "POST", "/api/v1/admin/users/{id}/unfreeze", **on_officer, body={}, expect=200)
    stranger_loan = {"path_parameters": {"id": KNOWN["loan"][-1]}}
    override = {"status": "DEFAULTED", "reason": "fraud confirmed by the bank"}
    send("admin", "PATCH", "/api/v1/admin/loans/{id}/override", **stranger_loan, body=override, expect=200)
    recovery = send(
        "admin",
        "POST",
        "/api/v1/recovery/initiate",
        body={"loan_id": KNOWN["loan"][-1], "action_type": "SETTLEMENT"},
        expect=201,
    )
    owed = send("admin", "GET", "/api/v1/loans/{id}", **stranger_loan, expect=200)
    remaining = sum(Decimal(owed[f"outstanding_{part}"]) for part in ("principal", "interest", "penalty")) - 1000
    send(
        "admin",
        "POST",
        "/api/v1/recovery/{id}/complete",
        path_parameters={"id": recovery["id"]},
        body={"recovered_amount": "1000.00", "write_off_remaining": True, "reason": "settled for what was recovered"},
        # Above WRITE_OFF_FOUR_EYES_AMOUNT the write-off waits for a second ADMIN.
        expect=202 if remaining > 100000 else 200,
    )
    day = send("admin", "GET", "/api/v1/admin/business-date", expect=200)
    send("admin", "PUT", "/api/v1/admin/business-date", body={**day, "reason": "unchanged"}, expect=200)
    job = {"path_parameters": {"name": "offer_expiry"}, "query": {"sync": True}}
    send("admin", "POST", "/api/v1/admin/jobs/{name}/run", **job, expect=200)


@schema.parametrize()
def test_anonymous(case, api):
    _call(case, api, "anonymous")


@schema.parametrize()
def test_borrower(case, api):
    _call(case, api, "borrower")


@schema.parametrize()
def test_admin(case, api):
    _call(case, api, "admin")


def test_the_fuzzed_document_is_the_served_one(api):
    served = requests.get(f"{api.url}/api/schema/?format=json", timeout=30)
    assert served.status_code == 200
    assert served.json() == schema.raw_schema


def test_the_fuzzing_is_bounded_and_seeded():
    settings = schema.config.get_hypothesis_settings(phase="fuzzing")
    assert settings.max_examples == MAX_EXAMPLES
    assert settings.derandomize is True
    assert settings.database is None
    assert schema.config.seed == SEED


# What the authenticated runs must have reached, not only been refused: a run whose token died, or
# whose known rows stopped matching the paths, would otherwise pass while testing nothing.
REACHED = {
    "borrower": [
        ("GET", "/api/v1/businesses/me", 200),
        ("GET", "/api/v1/loans/{id}", 200),
        ("GET", "/api/v1/repayments/loan/{id}/emis", 200),
        ("POST", "/api/v1/repayments/emi/{id}/pay", 201),
        ("GET", "/api/v1/kyc/documents/{id}/download", 302),
        ("GET", "/api/v1/businesses/{id}/collaterals", 200),
    ],
    "admin": [
        ("GET", "/api/v1/admin/portfolio/summary", 200),
        ("GET", "/api/v1/loans/{id}", 200),
        ("GET", "/api/v1/repayments/loan/{id}/history", 200),
        ("POST", "/api/v1/admin/jobs/{name}/run", 202),
    ],
}


def test_the_authenticated_runs_reached_the_data():
    roles = {role for role, _, _ in ANSWERS}
    if roles != {"anonymous", "borrower", "admin"}:
        pytest.skip("runs only after the three runs above")
    for role, expected in REACHED.items():
        for method, path, status in expected:
            assert ANSWERS[role, method, path][status] > 0, (role, method, path, dict(ANSWERS[role, method, path]))
    anonymous = Counter()
    for (role, _, _), answers in ANSWERS.items():
        if role == "anonymous":
            anonymous.update(answers)
    assert anonymous[401] > 1000


def test_a_rate_limited_answer_keeps_the_contract(api):
    """Random inputs seldom trip a limit, so one 429 is provoked on purpose: an OTP resend inside
    the cooldown. Its status, Error body and Retry-After header are held to the document."""
    operation = schema["/api/v1/auth/otp/send"]["POST"]
    body = {"phone": "+919800000042"}
    answers = [requests.post(f"{api.url}/api/v1/auth/otp/send", json=body, timeout=30) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [200, 429]
    assert int(answers[1].headers["Retry-After"]) >= 1
    case = operation.Case(body=body, media_type="application/json")
    case.validate_response(answers[1], checks=CHECKS)
