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
ids are drawn partly from those rows, so that the fuzzing reaches past "404 not found".

The run is bounded and reproducible: a fixed seed, derandomized generation, no example
database and at most MAX_EXAMPLES generated cases per operation in the fuzzing phase (the
coverage phase adds its own deterministic boundary cases). All of it takes about two and a half
minutes on two cores.
"""

import io
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
import requests
import schemathesis
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
from apps.core.jobs import JOBS
from apps.demo.management.commands.seed_demo import DEMO_BORROWER_PHONE
from apps.kyc.documents import document_upload
from apps.kyc.models import Business
from apps.loans.models import Loan, Offer
from apps.repayments.services import emi_bounce
from tests.conftest import _seed_reference_data
from tests.support.lending import make_loan

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
    for field, kind in BODY_ROWS.items():
        if isinstance(body, dict) and field in body:
            return _sometimes_known(body, field, kind)
    return st.just(body)


def _world() -> dict[str, list[str]]:
    """The rows the authenticated runs can find, made through the services like the demo data."""
    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(username="admin")
    borrower = User.objects.get(username=DEMO_BORROWER_PHONE)
    business = Business.objects.get(owner=borrower)
    loan = Loan.objects.get(borrower=borrower)
    document = document_upload(
        business=business,
        doc_type="PAN_CARD",
        upload=SimpleUploadedFile("pan.pdf", PDF, content_type="application/pdf"),
        actor=borrower,
    )
    defaulted = make_loan(borrower, amount="60000.00")
    first, second = defaulted.installments.order_by("number")[:2]
    emi_bounce(first.pk, code="04", actor=admin)
    emi_bounce(second.pk, code="04", actor=admin)
    recovery = recovery_initiate(loan_id=defaulted.pk, action_type="LEGAL_NOTICE", notes="", actor=admin)
    stranger_loan = make_loan()
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
    }


@dataclass
class Api:
    url: str
    headers: dict[str, dict[str, str]]


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
    with django_db_blocker.unblock(), override_settings(STORAGES=storages, PASSWORD_HASHERS=hashers):
        _seed_reference_data()
        KNOWN.update(_world())
        tokens = {
            role: tokens_for_user(User.objects.get(username=username))["access"]
            for role, username in (("borrower", DEMO_BORROWER_PHONE), ("admin", "admin"))
        }
        server = LiveServer("localhost")
        try:
            yield Api(
                url=server.url,
                headers={"anonymous": {}} | {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()},
            )
        finally:
            server.stop()
            KNOWN.clear()
            # Leave the database as the rest of the suite expects it: no rows but the reference data.
            call_command("flush", interactive=False, verbosity=0)
            _seed_reference_data()


# (role, method sent, path) → status codes answered: the last test reads it.
ANSWERS: dict[tuple[str, str, str], Counter] = defaultdict(Counter)


def _call(case, api, role):
    # The document download answers 302 to a signed URL, as documented; the file is not the contract.
    sent = {"base_url": api.url, "headers": api.headers[role], "allow_redirects": False}
    response = case.call(**sent)
    ANSWERS[role, case.method.upper(), case.operation.path][response.status_code] += 1
    if log := os.environ.get("SCHEMATHESIS_LOG"):
        with open(log, "a") as out:
            out.write(f"{role}\t{case.method.upper()} {case.operation.path}\t{response.status_code}\n")
    case.validate_response(response, checks=CHECKS, headers=api.headers[role], transport_kwargs=sent)


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
