"""The close of business in parts (apps/repayments/close_of_business.py): the book split by
borrower, each part claimed by whichever worker process is free. It writes the same rows as the
whole book closed in one process; a part whose worker died is claimed again when its lease runs
out, a part that fails is run again on its own, and a real Celery worker helps a run."""

import datetime
import json
import random
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test import override_settings

from apps.audit.models import AuditLog
from apps.core.business_date import last_closed_day
from apps.core.models import Event
from apps.ledger.balances import find_drift
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import ledger_summary
from apps.loans.models import Installment, Loan
from apps.repayments import close_of_business as cob
from apps.repayments.close_of_business import close_of_business, parts_work
from apps.repayments.loan_chunks import Partition
from apps.repayments.models import CloseOfBusinessPart, LoanClassificationHistory
from apps.repayments.services import emi_pay
from tests.support.days import days_after, set_day
from tests.support.factories import BorrowerFactory
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db
NO_HELPERS = override_settings(COB_HELPERS=0)  # no Celery message: this process does every part


def _book(seed: int) -> list[Loan]:
    """Six borrowers with one or two loans each; each loan has its first 0 to 3 EMIs paid."""
    rng = random.Random(seed)
    loans = []
    for _ in range(6):
        borrower = BorrowerFactory()
        for _ in range(rng.choice((1, 2))):
            loans.append(make_loan(borrower, amount=rng.choice(("60000.00", "100000.00", "150000.00"))))
    for loan in loans:
        for installment in loan.installments.order_by("number")[: rng.choice((0, 0, 1, 2, 3))]:
            emi_pay(installment_id=installment.pk, actor=loan.borrower)
    return loans


def _state() -> dict:
    """Everything the night writes, without ids and timestamps that differ between two runs."""

    def dump(value):
        return json.dumps(value, sort_keys=True, default=str)

    return {
        "loans": sorted(
            Loan.objects.values_list(
                "id",
                "status",
                "dpd",
                "asset_classification",
                "outstanding_principal",
                "outstanding_interest",
                "outstanding_penalty",
                "interest_suspense",
                "penal_suspense",
            )
        ),
        "installments": sorted(
            Installment.objects.values_list("id", "status", "interest_accrued", "penalty_due", "penal_accrued_through")
        ),
        "journal": sorted(
            (
                entry.idempotency_key,
                entry.entry_type,
                entry.business_date,
                str(entry.loan_id),
                sorted((line.account_id, line.debit, line.credit) for line in entry.lines.all()),
            )
            for entry in JournalEntry.objects.prefetch_related("lines")
        ),
        "audit": Counter(
            (row.action, row.object_type, row.object_id, dump(row.before), dump(row.after), row.reason)
            for row in AuditLog.objects.all()
        ),
        "history": sorted(
            LoanClassificationHistory.objects.values_list(
                "loan_id", "business_date", "from_classification", "to_classification", "dpd"
            )
        ),
        "events": Counter((e.topic, e.aggregate_id, dump(e.payload)) for e in Event.objects.all()),
        "closed": last_closed_day(),
    }


@pytest.mark.parametrize("seed", [7, 2026])
def test_the_night_in_parts_writes_what_the_whole_book_in_one_process_writes(seed):
    loans = _book(seed)
    day = days_after(loans[0], 1, random.Random(seed).choice((35, 95)))  # SMA, or NPA borrower-wide
    set_day(day)
    before = transaction.savepoint()
    whole = close_of_business(day, parts=1)
    expected = _state()
    transaction.savepoint_rollback(before)
    with NO_HELPERS:
        in_parts = close_of_business(day, parts=4)
    assert _state() == expected
    assert in_parts == whole and whole["dpd_updated"] > 0
    assert set(CloseOfBusinessPart.objects.values_list("status", flat=True)) == {"DONE"}
    assert CloseOfBusinessPart.objects.count() == 4
    # Every loan is in exactly one part, and a borrower's loans in the same one.
    parts = {}
    for part in (Partition(i, 4) for i in range(4)):
        for loan_id, borrower_id in part.loans(Loan.objects.all()).values_list("id", "borrower_id"):
            assert loan_id not in parts
            parts[loan_id] = (part.index, borrower_id)
    assert set(parts) == {loan.pk for loan in loans}
    assert len({(index, borrower) for index, borrower in parts.values()}) == len({b for _, b in parts.values()})


def test_a_part_left_by_a_dead_worker_is_claimed_again_after_its_lease():
    loans = _book(11)
    day = days_after(loans[0], 1, 35)
    set_day(day)
    run_id = "7a0f8b56-62a4-4a5e-9d35-2c1d4a4b9e01"
    for index in range(3):
        CloseOfBusinessPart.objects.create(run_id=run_id, business_date=day, index=index, parts=3)
    # A worker claimed part 1 and died: its lease is still running, so nobody takes the part.
    dead = CloseOfBusinessPart.objects.get(run_id=run_id, index=1)
    dead.status, dead.worker, dead.attempts = "RUNNING", "gone:1", 1
    dead.lease_until = dead.created_at + datetime.timedelta(hours=1)
    dead.save()
    assert parts_work(run_id) == 2
    assert CloseOfBusinessPart.objects.get(pk=dead.pk).status == "RUNNING"
    # Its lease ran out: the next worker to look takes it and finishes it.
    CloseOfBusinessPart.objects.filter(pk=dead.pk).update(lease_until=dead.created_at)
    assert parts_work(run_id) == 1
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("DONE", 2) and dead.worker != "gone:1"
    assert dead.counts["dpd_updated"] >= 0
    assert find_drift() == [] and ledger_summary()["balanced"]


@NO_HELPERS
def test_a_part_that_fails_is_run_again_alone_and_the_night_completes(monkeypatch):
    loans = _book(3)
    day = days_after(loans[0], 1, 35)
    set_day(day)
    real = cob.close_part
    failures = []

    def flaky(day, part, **kwargs):
        if part.index == 2 and not failures:
            failures.append(part)
            raise ConnectionError("server closed the connection unexpectedly")
        return real(day, part, **kwargs)

    monkeypatch.setattr(cob, "close_part", flaky)
    counts = close_of_business(day, parts=3)
    assert failures and counts["dpd_updated"] > 0
    retried = CloseOfBusinessPart.objects.get(index=2)
    assert (retried.status, retried.attempts) == ("DONE", 2)
    assert set(CloseOfBusinessPart.objects.exclude(index=2).values_list("attempts", flat=True)) == {1}
    assert last_closed_day() == day


@NO_HELPERS
@override_settings(COB_PART_ATTEMPTS=2)
def test_a_part_that_keeps_failing_fails_the_night_and_the_day_stays_open(monkeypatch):
    loans = _book(5)
    day = days_after(loans[0], 1, 35)
    set_day(day)
    real = cob.close_part

    def broken(day, part, **kwargs):
        if part.index == 0:
            raise RuntimeError("disk full")
        return real(day, part, **kwargs)

    monkeypatch.setattr(cob, "close_part", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        close_of_business(day, parts=2)
    failed = CloseOfBusinessPart.objects.get(index=0)
    assert (failed.status, failed.attempts) == ("FAILED", 2)
    assert last_closed_day() != day
    # Run again (the job would, the next time): the parts already closed change nothing.
    monkeypatch.setattr(cob, "close_part", real)
    again = close_of_business(day, parts=2)
    assert last_closed_day() == day and again["installments_accrued"] >= 0


@pytest.mark.django_db(transaction=True)
def test_a_real_celery_worker_and_threads_share_the_parts_of_one_night(ledger_chart):
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    loans = _book(19)
    day = days_after(loans[0], 1, 95)
    set_day(day)
    # A second worker thread, beside the job's own process and the Celery worker.
    helper_done = []

    def helper():
        try:
            deadline = time.monotonic() + 30
            while not CloseOfBusinessPart.objects.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            run_id = CloseOfBusinessPart.objects.values_list("run_id", flat=True).first()
            if run_id:
                helper_done.append(parts_work(run_id))
        finally:
            connection.close()

    thread = threading.Thread(target=helper, name="helper")
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10):
        thread.start()
        counts = close_of_business(day, parts=8)
        thread.join(30)
    rows = list(CloseOfBusinessPart.objects.all())
    assert len(rows) == 8 and {row.status for row in rows} == {"DONE"}
    assert {row.attempts for row in rows} == {1}  # each part ran once
    assert sum(row.counts["loans_overdue"] for row in rows) == counts["loans_overdue"] > 0
    assert last_closed_day() == day
    assert find_drift() == [] and ledger_summary()["balanced"]
    # The same night again changes nothing.
    again = close_of_business(day, parts=8)
    assert again["interest_entries"] == again["penal_entries"] == again["classification_changes"] == 0


def test_a_worker_whose_part_was_taken_over_changes_nothing_of_it():
    loans = _book(23)
    day = days_after(loans[0], 1, 35)
    set_day(day)
    run_id = "0b5c2f7e-8d1a-4f61-a0c4-5a7f3c9b1e22"
    CloseOfBusinessPart.objects.create(run_id=run_id, business_date=day, index=0, parts=1)
    real = cob.close_part
    stolen = []

    def slow(day, part, *, heartbeat):
        # While this worker runs, its lease runs out and another worker claims the part.
        if not stolen:
            stolen.append(CloseOfBusinessPart.objects.filter(run_id=run_id).update(attempts=2, worker="other:2"))
        return real(day, part, heartbeat=heartbeat)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cob, "close_part", slow)
        assert parts_work(run_id) == 0  # stopped at its first heartbeat, marked nothing
    part = CloseOfBusinessPart.objects.get(run_id=run_id)
    assert (part.status, part.worker, part.attempts) == ("RUNNING", "other:2", 2)


@override_settings(COB_PART_ATTEMPTS=2)
def test_a_part_whose_worker_dies_on_every_attempt_fails_instead_of_being_handed_out_for_ever():
    day = datetime.date(2027, 1, 5)
    run_id = "1c6d3a8f-9e2b-4a72-b1d5-6b8a4d0c2f33"
    part = CloseOfBusinessPart.objects.create(
        run_id=run_id, business_date=day, index=0, parts=1, status="RUNNING", attempts=2, worker="gone:1"
    )
    CloseOfBusinessPart.objects.filter(pk=part.pk).update(lease_until=part.created_at)
    assert parts_work(run_id) == 0
    part.refresh_from_db()
    assert part.status == "FAILED" and "lease" in part.error


@NO_HELPERS
def test_a_new_run_supersedes_the_parts_an_unfinished_run_left():
    loans = _book(29)
    day = days_after(loans[0], 1, 35)
    set_day(day)
    left = CloseOfBusinessPart.objects.create(
        run_id="2d7e4b9a-0f3c-4b83-82e6-7c9b5e1d3a44", business_date=day, index=1, parts=2
    )
    close_of_business(day, parts=2)
    left.refresh_from_db()
    assert left.status == "FAILED" and left.error.startswith("superseded by run")
    assert last_closed_day() == day
