"""The changelist stays on indexes: exact, type-aware search and estimated counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core import admin_paginator
from apps.loans.models import Loan
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db

URL = "/admin/loans/loan/"


def _found(response) -> set[str]:
    return {str(loan.pk) for loan in response.context["cl"].result_list}


@pytest.fixture
def loans():
    return [make_loan(), make_loan()]


def test_loan_search_by_id_gstin_and_invoice_number(officer_web, loans):
    first, second = loans
    assert _found(officer_web.get(URL, {"q": str(first.pk)})) == {str(first.pk)}
    assert _found(officer_web.get(URL, {"q": second.business.gstin})) == {str(second.pk)}
    assert _found(officer_web.get(URL, {"q": first.invoice.invoice_number})) == {str(first.pk)}


@pytest.mark.parametrize("term", ["no-such-invoice", "x" * 300, "not-a-uuid-but-long-enough-0000000000"])
def test_a_search_that_matches_nothing_is_an_empty_page_not_an_error(officer_web, loans, term):
    response = officer_web.get(URL, {"q": term})
    assert response.status_code == 200 and _found(response) == set()


def test_search_compares_columns_exactly_not_upper_cased_text(officer_web, loans):
    with CaptureQueriesContext(connection) as queries:
        officer_web.get(URL, {"q": str(loans[0].pk)})
    searched = [q["sql"] for q in queries.captured_queries if 'FROM "loans_loan"' in q["sql"]]
    assert searched and not any("UPPER(" in sql for sql in searched)


def test_a_big_filtered_list_shows_the_planner_estimate_instead_of_counting(officer_web, loans, monkeypatch):
    monkeypatch.setattr(admin_paginator, "EXACT_BELOW", 0)
    with CaptureQueriesContext(connection) as queries:
        response = officer_web.get(URL, {"asset_classification__exact": "STANDARD"})
    assert response.status_code == 200
    assert not any("COUNT(" in q["sql"] and "loans_loan" in q["sql"] for q in queries.captured_queries)
    assert any(q["sql"].startswith("EXPLAIN") for q in queries.captured_queries)


def test_a_small_filtered_list_is_counted_exactly(officer_web, loans):
    response = officer_web.get(URL, {"asset_classification__exact": "STANDARD"})
    assert response.context["cl"].result_count == Loan.objects.filter(asset_classification="STANDARD").count() == 2
