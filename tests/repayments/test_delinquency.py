"""RBI's buckets are defined once (delinquency.BUCKETS); the Python classifier, the SQL CASE the
close of business runs and the report's DPD ranges are derived from it and agree at every day."""

import pytest
from django.db import connection
from django.db.models import Count

from apps.loans.models import Loan
from apps.repayments.delinquency import BUCKETS, DPD_BUCKETS, classification_sql, classify
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db

DAYS = range(0, 200)


def test_the_buckets_are_rbis():
    expected = {0: "STANDARD", 1: "SMA_0", 30: "SMA_0", 31: "SMA_1", 60: "SMA_1", 61: "SMA_2", 90: "SMA_2", 91: "NPA"}
    assert {dpd: classify(dpd) for dpd in expected} == expected
    assert [ceiling for ceiling, _ in BUCKETS] == sorted(ceiling for ceiling, _ in BUCKETS)
    assert list(DPD_BUCKETS) == ["0", "1-30", "31-60", "61-90", "90+"]  # the report's keys (API)


def test_the_sql_case_classifies_like_python():
    case, params = classification_sql("d")
    with connection.cursor() as cursor:
        sql = f"SELECT d, {case} FROM generate_series(%(first)s, %(last)s) AS d"
        cursor.execute(sql, {**params, "first": DAYS[0], "last": DAYS[-1]})
        assert dict(cursor.fetchall()) == {dpd: classify(dpd) for dpd in DAYS}


def test_each_day_is_in_exactly_one_report_bucket_the_one_of_its_classification(borrower):
    loan = Loan.objects.filter(pk=make_loan(borrower).pk)
    by_classification = {}
    for dpd in DAYS:
        loan.update(dpd=dpd)
        counts = loan.aggregate(**{label: Count("id", filter=q) for label, q in DPD_BUCKETS.items()})
        (label,) = [label for label, count in counts.items() if count]
        by_classification.setdefault(classify(dpd), set()).add(label)
    assert {c: labels.pop() for c, labels in by_classification.items() if len(labels) == 1} == {
        "STANDARD": "0",
        "SMA_0": "1-30",
        "SMA_1": "31-60",
        "SMA_2": "61-90",
        "NPA": "90+",
    }
