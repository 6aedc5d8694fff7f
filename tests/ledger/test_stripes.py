"""Account snapshots are striped: postings spread over the stripes, and every reader sums them."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from apps.ledger import chart
from apps.ledger.balances import find_drift, rebuild_balances
from apps.ledger.models import STRIPES, Account, AccountBalanceStripe
from apps.ledger.selectors import ledger_summary, snapshot_balances
from tests.support.ledger import post

pytestmark = pytest.mark.django_db


def test_postings_spread_over_stripes_and_readers_sum_them(admin_user):
    for n in range(40):
        post(key=f"s{n}", amount="1.25")
    stripes = AccountBalanceStripe.objects.filter(account_id=chart.LOAN_PRINCIPAL)
    assert 1 < stripes.count() <= STRIPES
    assert snapshot_balances()[chart.LOAN_PRINCIPAL] == Decimal("50.00")
    assert ledger_summary()["balanced"] and find_drift() == []
    request = RequestFactory().get("/admin/ledger/account/")
    request.user = admin_user
    accounts = site._registry[Account].get_queryset(request)
    shown = {a.code: site._registry[Account].snapshot_balance(a) for a in accounts}
    assert shown[chart.LOAN_PRINCIPAL] == Decimal("50.00") and shown[chart.BANK_DISBURSEMENT] == Decimal("-50.00")


def test_rebuild_gathers_the_stripes_into_one_row_per_account():
    for n in range(10):
        post(key=f"r{n}", amount="3.00")
    rebuild_balances()
    assert AccountBalanceStripe.objects.filter(account_id=chart.LOAN_PRINCIPAL).count() == 1
    assert snapshot_balances()[chart.LOAN_PRINCIPAL] == Decimal("30.00")
    assert find_drift() == []
