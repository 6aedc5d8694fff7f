"""Bank accounts: validated (a bad field is a 400 naming it, nothing stored), held by one
business only, verified by a penny drop whose name is scored against the legal name, approved by
ops when it is too far; the number is never stored or returned whole."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.audit.models import AuditLog
from apps.core.http import JsonHttpClient
from apps.kyc.bank_accounts import account_hash
from apps.kyc.models import BankAccount
from apps.kyc.names import name_match_score
from apps.kyc.providers import BankRailUnavailable, HttpBankVerification
from tests.support.http_server import Hang
from tests.support.lending import verified_business
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/businesses/me/bank-accounts"


def add(client, number="50100012345678", ifsc="HDFC0001234", holder=None, business=None):
    holder = holder if holder is not None else (business.legal_name if business else "Asha Traders")
    return client.post(URL, {"account_number": number, "ifsc": ifsc, "holder_name": holder}, format="json")


@pytest.fixture
def owner():
    user = make_user()
    return user, verified_business(user), client_for(user)


def test_a_verified_account_is_primary_and_its_number_is_never_kept(owner):
    _user, business, client = owner
    response = add(client, business=business)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "ifsc": "HDFC0001234",
        "bank_name": "HDFC Bank",
        "account_last4": "5678",
        "holder_name": business.legal_name,
        "status": "VERIFIED",
        "name_match_score": 100,
        "is_primary": True,
    }
    account = BankAccount.objects.get()
    assert "50100012345678" not in str(account.__dict__) and account.account_hash == account_hash("50100012345678")
    assert AuditLog.objects.filter(action="bank_account.added", object_id=str(account.pk)).exists()
    second = add(client, number="50100099990001", business=business)
    assert second.json()["is_primary"] is False
    assert [a["account_last4"] for a in client.get(URL).json()] == ["5678", "0001"]


def test_the_bank_holding_another_name_waits_for_ops_who_approve_with_a_reason(owner, officer_web):
    _user, business, client = owner
    response = add(client, number="123456781111", ifsc="sbin0000001", business=business)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["is_primary"]) == ("NAME_MISMATCH", False) and body["name_match_score"] < 80
    account = BankAccount.objects.get()
    page = officer_web.get(f"/admin/kyc/bankaccount/{account.pk}/change/").content.decode()
    assert "Approve the bank" in page and "RAMESH KUMAR SHARMA" in page and "123456781111" not in page
    officer_web.post(f"/admin/kyc/bankaccount/{account.pk}/transition/approve/", {"reason": "Proprietor's own name"})
    account.refresh_from_db()
    assert (account.status, account.is_primary, account.status_reason) == ("VERIFIED", True, "Proprietor's own name")
    assert AuditLog.objects.filter(action="bank_account.approved", object_id=str(account.pk)).exists()


def test_a_refused_account_is_failed_and_a_silent_rail_stores_nothing(owner):
    _user, business, client = owner
    failed = add(client, number="987654320000", business=business)
    assert failed.status_code == 201 and failed.json()["status"] == "FAILED"
    down = add(client, number="987654329999", business=business)
    assert down.status_code == 503 and down.json()["code"] == "rail_unavailable"
    assert BankAccount.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"account_number": "12345678", "ifsc": "HDFC0001234", "holder_name": "A"}, "account_number"),
        ({"account_number": "1234567890123456789", "ifsc": "HDFC0001234", "holder_name": "A"}, "account_number"),
        ({"account_number": "12345678ab", "ifsc": "HDFC0001234", "holder_name": "A"}, "account_number"),
        ({"account_number": "123456789", "ifsc": "HDFC1001234", "holder_name": "A"}, "ifsc"),
        ({"account_number": "123456789", "ifsc": "HDF0001234", "holder_name": "A"}, "ifsc"),
        ({"account_number": "123456789", "ifsc": "HDFC0001234", "holder_name": "   "}, "holder_name"),
        ({"ifsc": "HDFC0001234", "holder_name": "A"}, "account_number"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(owner, body, field):
    response = owner[2].post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()["errors"], response.content
    assert not BankAccount.objects.exists()


def test_one_account_one_business_and_each_borrower_sees_only_their_own(owner):
    _user, business, client = owner
    assert add(client, business=business).status_code == 201
    again = add(client, business=business)
    assert again.status_code == 409 and again.json()["code"] == "bank_account_exists"
    other = make_user()
    other_business = verified_business(other)
    taken = add(client_for(other), business=other_business)
    assert taken.status_code == 409 and taken.json()["code"] == "bank_account_in_use"
    assert client_for(other).get(URL).json() == []
    assert client_for(make_user()).get(URL).status_code == 409  # not onboarded


@pytest.mark.parametrize(
    ("bank", "legal", "matches"),
    [
        ("SHAKTI FABRICS PVT LTD", "Shakti Fabrics Private Limited", True),
        ("M/S KAVERI SPICES", "Kaveri Spices LLP", True),
        ("DECCAN PRINTER", "Deccan Printers", True),
        ("RAMESH KUMAR SHARMA", "Deccan Printers", False),
        ("GANGA AGRO", "Ganga Agro Foods Private Limited", False),
    ],
)
def test_name_matching_on_real_looking_names(bank, legal, matches):
    assert (name_match_score(bank, legal) >= 80) is matches


@given(st.text(max_size=60), st.text(max_size=60))
def test_the_score_is_symmetric_and_bounded(a, b):
    score = name_match_score(a, b)
    assert 0 <= score <= 100 and score == name_match_score(b, a)


def test_the_http_verifier_against_a_local_server(http_server):
    def verifier(timeout=1.0):
        client = JsonHttpClient(http_server.url, headers={"X-Api-Key": "k"}, timeout=timeout, retries=1, backoff=0)
        return HttpBankVerification(client)

    answer = {"status": "VERIFIED", "name_at_bank": "ASHA TRADERS", "bank_name": "Axis Bank", "reference": "PD1"}
    http_server.routes[("POST", "/bank-accounts/verify")] = lambda body, headers: (200, answer)
    check = verifier().verify_account(reference="r1", account_number="123456789", ifsc="UTIB0000001", holder_name="x")
    assert (check.verified, check.name_at_bank, check.bank_name) == (True, "ASHA TRADERS", "Axis Bank")
    assert http_server.calls[-1]["json"] == {"reference": "r1", "account_number": "123456789", "ifsc": "UTIB0000001"}
    http_server.routes[("POST", "/bank-accounts/verify")] = lambda body, headers: (422, {"reason": "invalid"})
    assert verifier().verify_account(reference="r2", account_number="1", ifsc="X", holder_name="x").verified is False
    calls = len(http_server.calls)
    http_server.routes[("POST", "/bank-accounts/verify")] = lambda body, headers: (503, {})
    with pytest.raises(BankRailUnavailable):
        verifier().verify_account(reference="r3", account_number="1", ifsc="X", holder_name="x")
    assert len(http_server.calls) - calls == 2  # retried once

    def hang(body, headers):
        raise Hang(1.0)

    http_server.routes[("POST", "/bank-accounts/verify")] = hang
    with pytest.raises(BankRailUnavailable):
        verifier(timeout=0.2).verify_account(reference="r4", account_number="1", ifsc="X", holder_name="x")


@pytest.mark.django_db(transaction=True)
def test_two_accounts_verified_at_once_are_both_kept_and_one_is_primary(ledger_chart):
    from apps.kyc.bank_accounts import bank_account_add
    from tests.support.concurrency import race

    user = make_user()
    business = verified_business(user)
    numbers = ["50100012340001", "50100012340002", "50100012340003"]
    results = race(
        3,
        lambda i: bank_account_add(
            business=business,
            account_number=numbers[i],
            ifsc="HDFC0001234",
            holder_name=business.legal_name,
            actor=user,
        ),
    )
    assert all(isinstance(result, BankAccount) for result in results), results
    assert BankAccount.objects.filter(business=business).count() == 3
    assert BankAccount.objects.filter(business=business, is_primary=True).count() == 1
