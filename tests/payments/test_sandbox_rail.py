"""The sandbox rail closes the loop `make run` shows: it sends the server a signed webhook
through the real endpoint, and the payment is booked."""

import io

import pytest
from django.core.management import call_command

from apps.payments.intents import intent_open
from apps.payments.webhooks import webhook_events_apply
from tests.support.days import close_day, days_after
from tests.support.lending import make_loan
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
