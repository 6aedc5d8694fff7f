"""The close of business with its database connection killed part-way, then run again.

Each round moves the business date on, starts the nightly job in a thread, terminates that
thread's PostgreSQL backend after a short delay (a different point of the job each round),
and runs the job again. Whatever the kill interrupted, the book afterwards must be exactly
what one clean run gives: the same figures on every (identical) loan, interest booked once
per loan and day, one audit row per status change, the ledger balanced with no drift, and the
dead run marked FAILED instead of RUNNING for ever.
"""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum

from apps.audit.models import AuditLog
from apps.core.business_date import business_date_set
from apps.core.jobs_runner import run_job
from apps.core.models import JobRun
from apps.ledger.balances import find_drift
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import ledger_summary
from apps.loans.models import Installment, Loan
from apps.repayments.delinquency import classify
from apps.repayments.models import LoanClassificationHistory
from apps.repayments.selectors import outstanding_by_ledger
from tests.support.lending import make_loan

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.faults]

JOB = "npa_classification"
LOANS = 12
# Days after the first due date closed by each round, and how long the job runs before its
# connection is killed (0 s: at once, before it has done anything).
ROUNDS = [(1, 0.0), (15, 0.02), (31, 0.05), (45, 0.1), (64, 0.2), (95, 0.3)]


def _run_and_kill_after(day: datetime.date, delay: float) -> str:
    outcome = {}

    def job():
        connection.ensure_connection()
        outcome["pid"] = connection.connection.info.backend_pid
        try:
            outcome["status"] = run_job(JOB, business_date=day).status
        except Exception as exc:  # noqa: BLE001 — the killed connection surfaces as whatever ran at that moment
            outcome["status"] = f"died: {type(exc).__name__}"
        finally:
            connection.close()

    thread = threading.Thread(target=job)
    thread.start()
    while "pid" not in outcome:
        time.sleep(0.001)
    if delay:
        # A timed kill counts from the moment the run is RUNNING (its row committed): on a busy
        # machine the run may take longer than the delay just to get there, and every kill would
        # land before the work it is meant to interrupt.
        deadline = time.monotonic() + 10
        while not JobRun.objects.filter(name=JOB, status=JobRun.Status.RUNNING).exists():
            if time.monotonic() > deadline or not thread.is_alive():
                break
            time.sleep(0.002)
    time.sleep(delay)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [outcome["pid"]])
    thread.join()
    return outcome["status"]


def _expected(loan: Loan, day: datetime.date) -> dict:
    due = loan.installments.filter(due_date__lte=day)
    first_due = loan.installments.order_by("number").first().due_date
    dpd = max((day - first_due).days, 0)
    return {
        "dpd": dpd,
        "asset_classification": classify(dpd),
        "status": Loan.Status.DEFAULTED if dpd > 90 else (Loan.Status.OVERDUE if dpd else Loan.Status.ACTIVE),
        "outstanding_interest": due.aggregate(s=Sum("interest_due"))["s"] or Decimal("0.00"),
        "overdue_installments": loan.installments.filter(due_date__lt=day).count(),
    }


def _state(loan: Loan) -> dict:
    return {
        "dpd": loan.dpd,
        "asset_classification": loan.asset_classification,
        "status": loan.status,
        "outstanding_interest": loan.outstanding_interest,
        "overdue_installments": loan.installments.filter(status=Installment.Status.OVERDUE).count(),
    }


def test_a_killed_close_of_business_run_again_gives_the_clean_result(ledger_chart):
    loans = [make_loan() for _ in range(LOANS)]
    first_due = loans[0].installments.get(number=1).due_date
    killed = 0
    for offset, delay in ROUNDS:
        day = first_due + datetime.timedelta(days=offset)
        business_date_set(date=day)
        status = _run_and_kill_after(day, delay)
        killed += status != JobRun.Status.SUCCEEDED
        rerun = run_job(JOB, business_date=day)
        assert rerun.status == JobRun.Status.SUCCEEDED, rerun.error
        assert not JobRun.objects.filter(name=JOB, status=JobRun.Status.RUNNING).exists()
        # Once more for the same date: nothing left to do.
        again = run_job(JOB, business_date=day)
        assert again.status == JobRun.Status.SUCCEEDED
        assert not any(value for key, value in again.counts.items() if key != "days_closed"), again.counts

        for loan in Loan.objects.filter(pk__in=[loan.pk for loan in loans]):
            assert _state(loan) == _expected(loan, day), (offset, delay, status)
            assert outstanding_by_ledger(loan)["interest"] == loan.outstanding_interest
        assert ledger_summary()["balanced"]
        assert find_drift() == []

    assert killed >= 3, "the kill landed in fewer than three rounds: the test proved little"
    # Interest booked once per loan and day, every status change audited once.
    per_key = JournalEntry.objects.filter(entry_type="INTEREST_DUE").values("idempotency_key").annotate(n=Count("id"))
    assert {row["n"] for row in per_key} == {1}
    for loan in loans:
        assert AuditLog.objects.filter(action="loan.overdue", object_id=str(loan.pk)).count() == 1
        assert AuditLog.objects.filter(action="loan.defaulted", object_id=str(loan.pk)).count() == 1
        history = LoanClassificationHistory.objects.filter(loan=loan).order_by("business_date", "id")
        assert [h.to_classification for h in history] == ["SMA_0", "SMA_1", "SMA_2", "NPA"]
    # The interrupted runs are FAILED: "abandoned" when the kill took the runner's process with it
    # (the next run finds the row RUNNING), or with the error the runner itself recorded when it
    # survived the kill on a fresh connection. Which one depends on where the kill landed.
    interrupted = JobRun.objects.filter(name=JOB, status=JobRun.Status.FAILED)
    assert interrupted.count() >= 1, list(JobRun.objects.values_list("status", "error"))
