"""Human references (apps/core/references.py): written by PostgreSQL at insert, one sequence per
kind, distinct under concurrent inserts, shown instead of UUIDs."""

import re
import threading

import pytest
from django.db import connection

from apps.invoices.models import Invoice
from apps.loans.models import Loan
from tests.support.factories import BorrowerFactory
from tests.support.lending import make_loan, verified_business, verified_invoice

REFERENCE = re.compile(r"^(LN|AP)-\d{4}-\d{6,}$")


@pytest.mark.django_db
def test_a_new_loan_and_its_application_have_references_from_the_insert():
    loan = make_loan(amount="100000.00")
    invoice = Invoice.objects.get(pk=loan.invoice_id)
    assert loan.reference.startswith("LN-") and REFERENCE.match(loan.reference)
    assert invoice.reference.startswith("AP-") and REFERENCE.match(invoice.reference)
    # The instance holds what the database wrote (RETURNING), not a placeholder.
    assert Loan.objects.get(pk=loan.pk).reference == loan.reference
    assert str(loan) == loan.reference


@pytest.mark.django_db
def test_references_count_up_and_never_truncate_past_six_digits():
    borrower = BorrowerFactory()
    verified_business(borrower)
    first = verified_invoice(borrower)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('invoices_invoice_reference_seq', 1234567)")
    second = verified_invoice(borrower)
    assert int(first.reference.rsplit("-", 1)[1]) >= 1
    assert second.reference.endswith("-1234568")


@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_get_distinct_references():
    borrower = BorrowerFactory()
    verified_business(borrower)
    made, errors = [], []

    def add():
        try:
            made.append(verified_invoice(borrower).reference)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(made) == 8 and len(set(made)) == 8
