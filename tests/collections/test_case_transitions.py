"""The case doors the nightly sync takes set-based (promise broken, paid, closed) agree with
their one-row path, for a case in every state."""

import datetime
from decimal import Decimal

import pytest

from apps.collections.cases import BROKEN, CLOSED, ESCALATED, PAID
from apps.collections.models import CollectionCase
from tests.support.lending import make_loan
from tests.support.transitions import agree, set_state
from tests.support.users import make_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2027, 1, 10)


@pytest.fixture
def case_pairs():
    """Two equivalent cases (each on its own loan) in every case state, with a promise set."""
    borrower = make_user()
    pairs = {}
    for status in CollectionCase.Status.values:
        pair = []
        for _ in range(2):
            loan = make_loan(borrower)
            case = CollectionCase.objects.create(
                loan=loan,
                business_id=loan.business_id,
                bucket="SMA_0",
                dpd=3,
                amount_overdue=Decimal("900.00"),
                opened_on=DAY,
                ptp_amount=Decimal("500.00"),
                ptp_due_on=DAY,
            )
            set_state(case, status)
            pair.append(case)
        pairs[status] = tuple(pair)
    return pairs


def _bulk(pairs):
    return CollectionCase.objects.filter(pk__in=[bulk_row.pk for bulk_row, _ in pairs.values()])


def test_promise_broken_set_based_equals_one_row(case_pairs):
    agree(BROKEN.transition, case_pairs, _bulk(case_pairs))


@pytest.mark.parametrize("door", [PAID, CLOSED], ids=["paid", "closed"])
def test_paid_and_closed_set_based_equal_one_row(door, case_pairs):
    values = {"closed_on": DAY, "ptp_amount": None, "ptp_due_on": None}
    agree(door.transition, case_pairs, _bulk(case_pairs), bulk_values=values, one_kwargs={"on": DAY})


def test_escalated_set_based_equals_one_row(case_pairs):
    values = {"ptp_amount": None, "ptp_due_on": None}
    agree(ESCALATED.transition, case_pairs, _bulk(case_pairs), bulk_values=values)
