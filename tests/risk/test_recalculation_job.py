import pytest

from apps.core.jobs_runner import run_job
from apps.risk.models import CreditScore
from tests.support.lending import verified_business
from tests.support.users import make_user


def _queries_for(count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.risk.jobs import risk_recalculation

    for _ in range(count):
        verified_business(make_user())
    with CaptureQueriesContext(connection) as queries:
        counts = risk_recalculation(business_date=None)
    return counts, len(queries)


@pytest.mark.django_db
def test_the_number_of_queries_does_not_grow_with_the_number_of_businesses():
    verified_business(make_user(), kyc_status="REJECTED")
    _queries_for(1)  # warm the live-settings rows
    small_counts, small = _queries_for(9)
    large_counts, large = _queries_for(30)
    assert (small_counts, large_counts) == ({"scored": 10}, {"scored": 40})
    assert small == large
    assert CreditScore.objects.count() == 1 + 10 + 40


@pytest.mark.django_db
def test_the_job_runs_through_the_runner(monkeypatch):
    from apps.risk import jobs

    monkeypatch.setattr(jobs, "CHUNK", 2)
    for _ in range(5):
        verified_business(make_user())
    run = run_job("risk_recalculation")
    assert (run.status, run.counts) == ("SUCCEEDED", {"scored": 5})
