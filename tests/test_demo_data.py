"""`make run` loads the demo data through the services; a second load changes nothing."""

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.ledger.selectors import ledger_summary
from apps.loans.models import Loan

pytestmark = pytest.mark.django_db


def test_demo_data_loads_through_the_services_and_again_idempotently():
    call_command("seed_demo")
    call_command("seed_demo")
    assert Loan.objects.filter(status="ACTIVE").count() == 1
    assert set(User.objects.filter(is_staff=True).values_list("username", "role")) >= {
        ("admin", "ADMIN"),
        ("officer", "OFFICER"),
    }
    assert User.objects.filter(phone="+919812345678", role="BORROWER").exists()
    assert ledger_summary()["balanced"]
