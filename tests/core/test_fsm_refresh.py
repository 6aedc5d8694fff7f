"""refresh_from_db on a model with a protected FSM field, from many threads at once.

django-fsm's FSMModelMixin lifts the protection by flipping a flag on the model's *field*,
which every thread shares: while one thread puts the flag back, another thread's refresh
raises "Direct status modification is not allowed". A threaded web server answered 500 for
payments that had been booked. Our mixin lifts it per instance.
"""

import threading

import pytest
from django.db import connection

from apps.loans.models import Loan
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db(transaction=True)


def test_refresh_from_db_is_safe_across_threads(ledger_chart):
    loan_id = make_loan().pk
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def refresh_many():
        try:
            loan = Loan.objects.get(pk=loan_id)
            barrier.wait()
            for _ in range(300):
                loan.refresh_from_db()
        except BaseException as exc:  # noqa: BLE001 — the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_protected_status_still_refuses_direct_assignment(ledger_chart):
    loan = make_loan()
    loan.refresh_from_db()
    with pytest.raises(AttributeError, match="Direct status modification"):
        loan.status = Loan.Status.CLOSED
