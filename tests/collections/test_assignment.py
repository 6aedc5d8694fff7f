"""Round-robin assignment: fair between collectors, capped at COLLECTOR_MAX_OPEN_CASES, and
without races when cases open at the same moment on many connections."""

from collections import Counter

import pytest
from constance.test import override_config
from django.db import transaction

from apps.collections.assignment import cases_assign_round_robin
from apps.collections.models import CaseEvent, CollectionCase
from apps.core.business_date import get_business_date
from apps.core.roles import Role
from tests.support.concurrency import race
from tests.support.lending import make_loan
from tests.support.users import make_user


def _unassigned_cases(count: int) -> list:
    """`count` open cases with no collector, one per loan."""
    borrower = make_user()
    today = get_business_date()
    cases = [
        CollectionCase.objects.create(
            loan=loan, business_id=loan.business_id, bucket="SMA_0", dpd=1, amount_overdue=100, opened_on=today
        )
        for loan in (make_loan(borrower) for _ in range(count))
    ]
    return [case.pk for case in cases]


@pytest.mark.django_db(transaction=True)
def test_cases_opening_at_once_on_many_connections_are_shared_evenly(ledger_chart):
    collectors = [make_user(Role.COLLECTOR) for _ in range(3)]
    ids = _unassigned_cases(24)
    today = get_business_date()

    def open_one(i):
        with transaction.atomic():
            return cases_assign_round_robin(day=today, case_ids=[ids[i]])

    results = race(24, open_one)
    assert all(len(pairs) == 1 for pairs in results)  # every case taken once
    load = Counter(CollectionCase.objects.values_list("assigned_to", flat=True))
    assert load == {c.pk: 8 for c in collectors}
    assert CaseEvent.objects.filter(type="CASE_ASSIGNED").count() == 24


@pytest.mark.django_db
def test_the_least_loaded_collector_catches_up_and_a_full_one_is_skipped():
    first, second, third = (make_user(Role.COLLECTOR) for _ in range(3))
    make_user(Role.COLLECTOR, is_active=False)  # never given a case
    ids = _unassigned_cases(9)
    today = get_business_date()
    CollectionCase.objects.filter(pk__in=ids[:3]).update(assigned_to=first)
    with override_config(COLLECTOR_MAX_OPEN_CASES=3):
        pairs = cases_assign_round_robin(day=today)
    given = Counter(collector for _, collector in pairs)
    # first is full (3 of 3); second and third take three each from the six.
    assert given == {second.pk: 3, third.pk: 3}
    assert not CollectionCase.objects.filter(assigned_to__isnull=True).exists()

    more = _unassigned_cases(2)
    with override_config(COLLECTOR_MAX_OPEN_CASES=3):
        assert cases_assign_round_robin(day=today) == []  # everyone is full: they wait
    with override_config(COLLECTOR_MAX_OPEN_CASES=4):
        pairs = cases_assign_round_robin(day=today)
    assert sorted(case for case, _ in pairs) == sorted(more)
    assert len({collector for _, collector in pairs}) == 2  # two collectors, one case each


@pytest.mark.django_db
def test_an_admin_creates_a_collector_who_logs_in_and_takes_the_next_case(admin_client):
    from rest_framework.test import APIClient

    from apps.accounts.models import User

    response = admin_client.post(
        "/api/v1/admin/users",
        {"username": "collector-7", "password": "Str0ng-enough-pass", "role": "COLLECTOR"},
        format="json",
    )
    assert response.status_code == 201, response.content
    collector = User.objects.get(username="collector-7")
    assert (collector.role, collector.is_staff) == ("COLLECTOR", True)
    assert collector.groups.filter(name="COLLECTOR").exists()
    login = APIClient().post(
        "/api/v1/auth/token", {"username": "collector-7", "password": "Str0ng-enough-pass"}, format="json"
    )
    assert login.status_code == 200, login.content
    [case_id] = _unassigned_cases(1)
    cases_assign_round_robin(day=get_business_date(), case_ids=[case_id])
    assert CollectionCase.objects.get(pk=case_id).assigned_to == collector
