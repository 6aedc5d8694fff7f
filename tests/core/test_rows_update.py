"""`rows_update` writes what each instance holds, field by field, to its own row only: money
to the paisa, dates, nulls, foreign keys and JSON, on a uuid or an identity key."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.bulk import rows_update
from apps.loans.models import Installment
from apps.payments.models import WebhookEvent
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


def test_money_dates_and_nulls_on_uuid_keys(borrower):
    loan = make_loan(borrower)
    first, second, third = loan.installments.order_by("number")[:3]
    first.interest_paid, first.status, first.paid_on = Decimal("12.34"), "PAID", datetime.date(2027, 1, 2)
    second.interest_paid, second.paid_on = Decimal("0.01"), None
    assert rows_update(Installment, [first, second], ["interest_paid", "status", "paid_on"]) == 2
    rows = {i.number: i for i in loan.installments.all()}
    assert (rows[1].interest_paid, rows[1].status, rows[1].paid_on) == (
        Decimal("12.34"),
        "PAID",
        datetime.date(2027, 1, 2),
    )
    assert (rows[2].interest_paid, rows[2].paid_on) == (Decimal("0.01"), None)
    assert (rows[3].interest_paid, rows[3].status) == (third.interest_paid, third.status)  # untouched


def test_json_and_timestamps_on_identity_keys():
    now = timezone.now()
    made = [
        WebhookEvent.objects.create(event_id=f"evt_rows_{n}", type="t", created=now, raw_body="{}", signed_at=now)
        for n in range(3)
    ]
    made[0].status, made[0].result, made[0].applied_at = "APPLIED", {"repayments": ["a"], "unapplied": "0.00"}, now
    made[1].result = {}
    assert rows_update(WebhookEvent, made[:2], ["status", "result", "applied_at"]) == 2
    rows = {e.event_id: e for e in WebhookEvent.objects.all()}
    assert (rows["evt_rows_0"].status, rows["evt_rows_0"].result, rows["evt_rows_0"].applied_at) == (
        "APPLIED",
        {"repayments": ["a"], "unapplied": "0.00"},
        now,
    )
    assert (rows["evt_rows_1"].status, rows["evt_rows_1"].applied_at) == ("RECEIVED", None)
    assert rows_update(WebhookEvent, [], ["status"]) == 0
