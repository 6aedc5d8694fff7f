"""The sandbox rail closes the loop `make run` shows: it sends the server a signed webhook
through the real endpoint, and the payment is booked."""

import io
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from apps.kyc.models import BankAccount
from apps.payments.intents import intent_open
from apps.payments.mandates import mandate_create
from apps.payments.webhooks import webhook_events_apply
from tests.support.days import close_day, days_after
from tests.support.lending import make_loan, payout_account, verified_business
from tests.support.users import make_user


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_rail_pays_an_intent_through_the_signed_endpoint(live_server, ledger_chart):
    borrower = make_user()
    loan = make_loan(borrower)
    close_day(days_after(loan, 1, 1))
    intent, _ = intent_open(loan_id=loan.pk, amount="700.00", method="UPI", actor=borrower)
    out = io.StringIO()
    call_command("sandbox_rail", "pay", str(intent.pk), "--url", live_server.url, stdout=out)
    assert "payment.succeeded" in out.getvalue() and " 200 " in out.getvalue()
    assert webhook_events_apply() == 1
    intent.refresh_from_db()
    assert intent.status == "SUCCEEDED" and intent.utr.startswith("SBXUTR")
    assert loan.repayments.get().amount == intent.amount


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_payment_page_closes_the_loop_through_the_signed_endpoint(live_server, ledger_chart, settings):
    """make run's loop: the intent's page → "Pay" → the rail's signed webhook → the worker books it."""
    settings.PUBLIC_URL = settings.SANDBOX_RAIL_CALLBACK_URL = live_server.url
    borrower = make_user()
    loan = make_loan(borrower)
    close_day(days_after(loan, 1, 1))
    intent, _ = intent_open(loan_id=loan.pk, amount="700.00", method="UPI", actor=borrower)
    assert intent.payment_url == f"{live_server.url}/sandbox/rail/pay/{intent.pk}"
    browser = Client()
    page = browser.get(f"/sandbox/rail/pay/{intent.pk}").content.decode()
    assert "₹700.00" in page and loan.reference in page and 'value="pay"' in page
    sent = browser.post(f"/sandbox/rail/pay/{intent.pk}", {"outcome": "pay"}).content.decode()
    assert "payment.succeeded" in sent and ": 200." in sent
    assert webhook_events_apply() == 1
    intent.refresh_from_db()
    assert intent.status == "SUCCEEDED" and intent.utr.startswith("SBXUTR")
    assert loan.repayments.get().amount == Decimal("700.00")
    after = browser.get(f"/sandbox/rail/pay/{intent.pk}").content.decode()
    assert "SUCCEEDED" in after and 'value="pay"' not in after  # paid once: no second button


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_mandate_page_authorises_through_the_signed_endpoint(live_server, ledger_chart, settings):
    settings.PUBLIC_URL = settings.SANDBOX_RAIL_CALLBACK_URL = live_server.url
    borrower = make_user()
    loan = make_loan(borrower)
    account = BankAccount.objects.get(business__owner=borrower)
    mandate = mandate_create(loan_id=loan.pk, bank_account_id=account.pk, type="NACH", actor=borrower)
    assert mandate.authorization_url == f"{live_server.url}/sandbox/rail/mandates/{mandate.pk}"
    sent = Client().post(f"/sandbox/rail/mandates/{mandate.pk}", {"outcome": "activate"}).content.decode()
    assert "mandate.activated" in sent
    webhook_events_apply()
    mandate.refresh_from_db()
    assert mandate.status == "ACTIVE" and mandate.umrn.startswith("SBXUMRN")


def test_the_sandbox_pages_do_not_exist_outside_the_sandbox(settings, client, db):
    settings.SANDBOX = False
    assert client.get(f"/sandbox/rail/pay/{uuid.uuid4()}").status_code == 404
    settings.SANDBOX = True
    assert client.get(f"/sandbox/rail/pay/{uuid.uuid4()}").status_code == 404  # no such payment
    assert client.get(f"/sandbox/rail/payouts/{uuid.uuid4()}").status_code == 404
    settings.SANDBOX = False
    assert client.get(f"/sandbox/rail/payouts/{uuid.uuid4()}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_pending_payout_is_settled_from_the_sandbox_rails_page(live_server, ledger_chart, settings, admin_web):
    """make run's payout loop: a payout the rail left PENDING (account ending 2222) → the console's
    link to the rail's page → "Paid" → the signed payout.succeeded → the worker activates the loan."""
    settings.PUBLIC_URL = settings.SANDBOX_RAIL_CALLBACK_URL = live_server.url
    borrower = make_user()
    payout_account(verified_business(borrower), last4="2222")
    loan = make_loan(borrower)
    payout = loan.payout
    assert (loan.status, payout.status) == ("SANCTIONED", "PENDING")
    console = admin_web.get(f"/admin/loans/payout/{payout.pk}/change/").content.decode()
    assert f'href="/sandbox/rail/payouts/{payout.pk}"' in console
    page = Client().get(f"/sandbox/rail/payouts/{payout.pk}").content.decode()
    assert payout.reference in page and "••••2222" in page and 'value="succeed"' in page
    sent = Client().post(f"/sandbox/rail/payouts/{payout.pk}", {"outcome": "succeed"}).content.decode()
    assert "payout.succeeded" in sent and ": 200." in sent
    assert webhook_events_apply() == 1
    loan.refresh_from_db()
    payout.refresh_from_db()
    assert (loan.status, payout.status, payout.utr) == ("ACTIVE", "SUCCEEDED", loan.payout_utr)
    assert 'value="succeed"' not in Client().get(f"/sandbox/rail/payouts/{payout.pk}").content.decode()
    assert "Open the payout" not in admin_web.get(f"/admin/loans/payout/{payout.pk}/change/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_payout_the_bank_returned_on_the_sandbox_rails_page_cancels_the_loan(live_server, ledger_chart, settings):
    settings.PUBLIC_URL = settings.SANDBOX_RAIL_CALLBACK_URL = live_server.url
    borrower = make_user()
    payout_account(verified_business(borrower), last4="2222")
    loan = make_loan(borrower)
    payout = loan.payout
    sent = Client().post(f"/sandbox/rail/payouts/{payout.pk}", {"outcome": "fail"}).content.decode()
    assert "payout.failed" in sent
    webhook_events_apply()
    loan.refresh_from_db()
    payout.refresh_from_db()
    assert (loan.status, payout.status) == ("CANCELLED", "FAILED")
