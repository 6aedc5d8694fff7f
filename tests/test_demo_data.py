"""`make run` loads the demo data through the services; a second load changes nothing."""

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.banking.models import BankSync, Consent
from apps.ledger.selectors import ledger_summary
from apps.loans.models import Loan
from apps.reports.models import DailyMetrics

pytestmark = pytest.mark.django_db


def test_demo_data_loads_through_the_services_and_again_idempotently():
    call_command("seed_demo")
    loans = Loan.objects.count()
    syncs = list(BankSync.objects.values_list("pk", flat=True))
    call_command("seed_demo")
    assert Loan.objects.count() == loans == 11  # ten in the history (one KYC waits for review), one today
    # A book with a history: every classification ops deal with, and the daily figures behind
    # the dashboard's trends.
    assert set(Loan.objects.values_list("asset_classification", flat=True)) >= {"STANDARD", "SMA_0", "NPA"}
    assert Loan.objects.filter(bounce_count__gt=0).exists()
    assert DailyMetrics.objects.count() >= 30
    assert set(User.objects.filter(is_staff=True).values_list("username", "role")) >= {
        ("admin", "ADMIN"),
        ("officer", "OFFICER"),
    }
    assert User.objects.filter(phone="+919812345678", role="BORROWER").exists()
    assert ledger_summary()["balanced"]
    # The demo business shares its bank data (the 360's bank panel): three banks, one sync.
    consents = Consent.objects.filter(business__gstin="27AAKCS1234M1Z3")
    assert sorted(consents.values_list("bank", "status")) == [(bank, "ACTIVE") for bank in ("HDFC", "ICICI", "SBI")]
    assert list(BankSync.objects.values_list("pk", "status")) == [(syncs[0], "DONE")]
