"""Outside parties are called with no database transaction open (DESIGN.md, "Money rails and
outside parties"): a slow government or GST service must not hold row locks, and a rolled-back
transaction must not leave a call behind that nothing records."""

import pytest
from django.db import connection

from apps.demo.identifiers import make_aadhaar, make_gstin, make_pan
from apps.kyc.providers import SandboxGovProvider
from apps.kyc.services import business_onboard
from tests.support.users import make_user

pytestmark = pytest.mark.django_db(transaction=True)


class Spy:
    """Wraps a provider; notes whether a transaction was open at each call."""

    def __init__(self, inner):
        self.inner = inner
        self.in_transaction: list[bool] = []

    def __getattr__(self, name):
        method = getattr(self.inner, name)

        def call(*args, **kwargs):
            self.in_transaction.append(connection.in_atomic_block)
            return method(*args, **kwargs)

        return call


def test_onboarding_calls_the_government_services_outside_any_transaction(monkeypatch, ledger_chart):
    spy = Spy(SandboxGovProvider())
    monkeypatch.setattr("apps.kyc.services.get_gov_provider", lambda: spy)
    pan = make_pan(4242)
    business = business_onboard(
        actor=make_user(),
        legal_name="Asha Traders",
        owner_name="Asha Verma",
        gstin=make_gstin(pan, "27"),
        pan=pan,
        aadhaar=make_aadhaar(4242),
        address="12 MG Road, Pune",
    )
    assert business.kyc_status == "VERIFIED"
    assert spy.in_transaction == [False, False, False]
    assert business.checks.count() == 3


def test_adding_an_invoice_calls_the_gst_network_outside_any_transaction(monkeypatch, ledger_chart):
    from apps.invoices.providers import get_gst_invoice_provider
    from apps.invoices.services import invoice_add
    from tests.support.lending import invoice_payload, verified_business

    spy = Spy(get_gst_invoice_provider())
    monkeypatch.setattr("apps.invoices.services.get_gst_invoice_provider", lambda: spy)
    user = make_user()
    verified_business(user)
    import datetime
    from decimal import Decimal

    payload = invoice_payload()
    payload.update(
        invoice_date=datetime.date.fromisoformat(payload["invoice_date"]),
        due_date=datetime.date.fromisoformat(payload["due_date"]),
        amount=Decimal(payload["amount"]),
    )
    invoice = invoice_add(actor=user, **payload)
    assert invoice.status == "VERIFIED"
    assert spy.in_transaction == [False]


def test_the_otp_sms_goes_out_after_the_challenge_and_its_audit_row_are_committed(monkeypatch, ledger_chart):
    from constance.test import override_config

    from apps.accounts.providers import get_sms_provider
    from apps.accounts.services import otp_send
    from apps.audit.models import AuditLog

    sent = []

    class Sms:
        def send(self, *, phone, message):
            sent.append((connection.in_atomic_block, AuditLog.objects.filter(action="auth.otp_sent").exists(), message))

    monkeypatch.setattr("apps.accounts.services.get_sms_provider", lambda: Sms())
    assert get_sms_provider  # the real factory stays importable
    with override_config(OTP_TTL_SECONDS=600):
        otp_send(phone="+919812300001", ip="203.0.113.5")
    [(in_transaction, audited, message)] = sent
    assert (in_transaction, audited) == (False, True)
    assert "10 minutes" in message and "5 minutes" not in message


def test_opening_a_payment_asks_the_rail_outside_any_transaction(monkeypatch, ledger_chart):
    from apps.payments.intents import intent_open
    from apps.payments.providers import SandboxCollectionRail
    from tests.support.days import close_day, days_after
    from tests.support.lending import make_loan

    spy = Spy(SandboxCollectionRail())
    monkeypatch.setattr("apps.payments.intents.get_collection_rail", lambda: spy)
    borrower = make_user()
    loan = make_loan(borrower)
    close_day(days_after(loan, 1, 1))
    intent, created = intent_open(loan_id=loan.pk, amount="100.00", method="UPI", actor=borrower)
    assert created and intent.provider_reference
    assert spy.in_transaction == [False]


def test_adding_a_bank_account_asks_the_bank_outside_any_transaction(monkeypatch, ledger_chart):
    from apps.kyc.bank_accounts import bank_account_add
    from apps.kyc.providers import SandboxBankVerification
    from tests.support.lending import verified_business

    spy = Spy(SandboxBankVerification())
    monkeypatch.setattr("apps.kyc.bank_accounts.get_bank_verification", lambda: spy)
    user = make_user()
    business = verified_business(user)
    account = bank_account_add(
        business=business,
        account_number="50100012345678",
        ifsc="HDFC0001234",
        holder_name=business.legal_name,
        actor=user,
    )
    assert account.status == "VERIFIED"
    assert spy.in_transaction == [False]
