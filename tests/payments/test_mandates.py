"""Mandates: set up on a verified account, one live per loan, activated by the rail's webhook;
each installment due presented once; a failed debit with a NACH return code is that
installment's bounce, a successful one a repayment."""

import pytest
from django.test import Client

from apps.core.jobs_runner import run_job
from apps.payments.models import Mandate, PaymentIntent
from apps.payments.webhooks import webhook_events_apply
from apps.repayments.models import Bounce
from tests.support.days import set_day
from tests.support.lending import make_loan, verified_business
from tests.support.rail import post_webhook, rail_event
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db


def rail(event_type, data):
    assert post_webhook(Client(), rail_event(event_type, data)).status_code == 200
    assert webhook_events_apply() >= 1


@pytest.fixture
def loan_with_account(borrower, borrower_client):
    loan = make_loan(borrower)
    business = loan.business
    response = borrower_client.post(
        "/api/v1/businesses/me/bank-accounts",
        {"account_number": "50100012345678", "ifsc": "HDFC0001234", "holder_name": business.legal_name},
        format="json",
    )
    assert response.json()["status"] == "VERIFIED"
    return loan, response.json()["id"]


def mandate_url(loan):
    return f"/api/v1/loans/{loan.pk}/mandate"


def test_a_mandate_is_set_up_once_on_a_verified_account_and_activated_by_the_rail(
    borrower_client, loan_with_account, officer
):
    loan, account_id = loan_with_account
    created = borrower_client.post(mandate_url(loan), {"bank_account_id": account_id, "type": "NACH"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["frequency"]) == ("PENDING", "MONTHLY")
    assert body["authorization_url"] == f"http://127.0.0.1:8000/sandbox/rail/mandates/{body['id']}"
    assert body["max_amount"] == f"{int(loan.emi * 3 / 2 + 1)}.00"
    again = borrower_client.post(mandate_url(loan), {"bank_account_id": account_id, "type": "NACH"}, format="json")
    assert again.status_code == 409
    rail("mandate.activated", {"mandate_id": body["id"], "umrn": "HDFC7000000012345"})
    seen = client_for(officer).get(mandate_url(loan)).json()
    assert (seen["status"], seen["umrn"]) == ("ACTIVE", "HDFC7000000012345")
    assert client_for(make_user()).get(mandate_url(loan)).status_code == 404
    cancelled = borrower_client.delete(mandate_url(loan))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    assert borrower_client.get(mandate_url(loan)).status_code == 404


def test_an_account_not_verified_or_not_the_borrowers_is_refused(borrower, borrower_client):
    loan = make_loan(borrower)
    stranger = make_user()
    verified_business(stranger)
    other = client_for(stranger).post(
        "/api/v1/businesses/me/bank-accounts",
        {"account_number": "777777777777", "ifsc": "SBIN0000001", "holder_name": "X"},
        format="json",
    )
    response = borrower_client.post(
        mandate_url(loan), {"bank_account_id": other.json()["id"], "type": "NACH"}, format="json"
    )
    assert response.status_code == 400 and "bank_account_id" in response.json()["errors"]
    mismatch = borrower_client.post(
        "/api/v1/businesses/me/bank-accounts",
        {"account_number": "123456781111", "ifsc": "SBIN0000001", "holder_name": "X"},
        format="json",
    ).json()
    assert mismatch["status"] == "NAME_MISMATCH"
    response = borrower_client.post(
        mandate_url(loan), {"bank_account_id": mismatch["id"], "type": "NACH"}, format="json"
    )
    assert response.status_code == 400
    assert not Mandate.objects.exists()


def test_each_installment_due_is_presented_once_and_a_nach_failure_is_its_bounce(borrower_client, loan_with_account):
    loan, account_id = loan_with_account
    mandate = borrower_client.post(
        mandate_url(loan), {"bank_account_id": account_id, "type": "NACH"}, format="json"
    ).json()
    rail("mandate.activated", {"mandate_id": mandate["id"], "umrn": "UMRN1"})
    first, second = loan.installments.order_by("number")[:2]
    set_day(first.due_date)
    run = run_job("mandate_presentation", business_date=first.due_date)
    assert run.status == "SUCCEEDED" and run.counts == {"debits_presented": 1, "presentations_failed": 0}
    assert run_job("mandate_presentation", business_date=first.due_date).counts["debits_presented"] == 0
    presented = PaymentIntent.objects.get(installment=first)
    assert (presented.status, presented.method, presented.amount) == ("PRESENTED", "NACH", first.owed)
    assert presented.provider_reference.startswith("SBXDEB")

    rail("payment.failed", {"intent_id": str(presented.pk), "return_code": "01"})
    presented.refresh_from_db()
    assert (presented.status, presented.failure_code) == ("FAILED", "01")
    bounce = Bounce.objects.get(installment=first)
    assert bounce.return_code_id == "01"
    loan.refresh_from_db()
    assert loan.bounce_count == 1

    set_day(second.due_date)
    run_job("mandate_presentation", business_date=second.due_date)
    debit = PaymentIntent.objects.get(installment=second)
    rail("payment.succeeded", {"intent_id": str(debit.pk), "amount": str(debit.amount), "utr": "NACHUTR0000000002"})
    debit.refresh_from_db()
    assert debit.status == "SUCCEEDED"
    # The money went to the oldest dues first: the bounced first installment (with its charge).
    first.refresh_from_db()
    assert loan.repayments.filter(installment=first).exists()
