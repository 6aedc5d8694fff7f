import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from apps.core.errors import Conflict, InvalidInput
from apps.ledger import chart
from apps.ledger.models import JournalEntry, JournalLine
from apps.ledger.selectors import ledger_summary, loan_balances, loan_journal_balances, snapshot_balances
from apps.ledger.services import Line, journal_post, journal_reverse
from tests.support.ledger import TODAY, post


@pytest.mark.django_db
def test_a_posting_writes_entry_lines_and_both_snapshots():
    loan = uuid.uuid4()
    entry = post(loan_id=loan, amount="1234.5678")
    assert entry.lines.count() == 2
    assert snapshot_balances()[chart.LOAN_PRINCIPAL] == Decimal("1234.5678")
    assert loan_balances(loan) == {
        chart.LOAN_PRINCIPAL: Decimal("1234.5678"),
        chart.BANK_DISBURSEMENT: Decimal("-1234.5678"),
    }
    assert loan_balances(loan) == loan_journal_balances(loan)


@pytest.mark.django_db
def test_the_same_key_returns_the_same_entry_and_other_lines_conflict():
    first = post()
    assert post().pk == first.pk
    assert JournalEntry.objects.count() == 1
    assert snapshot_balances()[chart.LOAN_PRINCIPAL] == Decimal("100.00")
    with pytest.raises(Conflict):
        post(amount="100.01")


@pytest.mark.parametrize(
    "lines",
    [
        [Line(chart.LOAN_PRINCIPAL, debit=Decimal("1"))],
        [Line(chart.LOAN_PRINCIPAL, debit=Decimal("1")), Line(chart.BANK_DISBURSEMENT, credit=Decimal("2"))],
        [Line(chart.LOAN_PRINCIPAL, debit=Decimal("1"), credit=Decimal("1")), Line(chart.BANK_DISBURSEMENT)],
        [Line(chart.LOAN_PRINCIPAL, debit=Decimal("-1")), Line(chart.BANK_DISBURSEMENT, credit=Decimal("-1"))],
        [
            Line(chart.LOAN_PRINCIPAL, debit=Decimal("0.00001")),
            Line(chart.BANK_DISBURSEMENT, credit=Decimal("0.00001")),
        ],
        [Line("9999", debit=Decimal("1")), Line(chart.BANK_DISBURSEMENT, credit=Decimal("1"))],
    ],
)
@pytest.mark.django_db
def test_the_service_refuses_bad_entries(lines):
    with pytest.raises(InvalidInput):
        journal_post(entry_type="ADJUSTMENT", lines=lines, idempotency_key="bad", business_date=TODAY)
    assert JournalEntry.objects.count() == 0


@pytest.mark.django_db
def test_float_amounts_are_refused():
    with pytest.raises(InvalidInput):
        journal_post(
            entry_type="ADJUSTMENT",
            lines=[Line(chart.LOAN_PRINCIPAL, debit=1.5), Line(chart.BANK_DISBURSEMENT, credit=1.5)],
            idempotency_key="f",
            business_date=TODAY,
        )


@pytest.mark.django_db
def test_reversal_nets_to_zero_and_happens_once():
    loan = uuid.uuid4()
    entry = post(loan_id=loan)
    reversal = journal_reverse(entry=entry, reason="posted to the wrong loan")
    assert journal_reverse(entry=entry, reason="again").pk == reversal.pk
    assert reversal.reverses_id == entry.pk
    assert JournalEntry.objects.filter(entry_type="REVERSAL").count() == 1
    assert all(balance == 0 for balance in loan_balances(loan).values())
    summary = ledger_summary()
    assert summary["balanced"] and summary["total_debit"] == Decimal("200.00")


@pytest.mark.django_db
def test_the_nightly_drift_check_passes_on_true_books_and_fails_on_a_tampered_snapshot():
    from apps.core.jobs_runner import run_job

    post(loan_id=uuid.uuid4())
    run = run_job("ledger_drift_check")
    assert (run.status, run.counts) == ("SUCCEEDED", {"drift": 0})
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_accountbalancestripe SET credit_total = credit_total + 1 WHERE account_id = %s",
            [chart.BANK_DISBURSEMENT],
        )
    run = run_job("ledger_drift_check")
    assert run.status == "FAILED"
    assert f"account {chart.BANK_DISBURSEMENT}" in run.error
    assert not ledger_summary()["balanced"]  # the summary reads the snapshots the check proves


@pytest.mark.django_db
def test_rebuild_check_finds_drift_made_behind_the_services_back():
    post(loan_id=uuid.uuid4())
    call_command("rebuild_balances", "--check")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_accountbalancestripe SET debit_total = debit_total + 1 WHERE account_id = %s", ["1100"]
        )
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="1 snapshot"):
        call_command("rebuild_balances", "--check")
    call_command("rebuild_balances")
    call_command("rebuild_balances", "--check")
    assert snapshot_balances()["1100"] == Decimal("100.00")


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


INSERT_ENTRY = """INSERT INTO ledger_journalentry (id, entry_type, business_date, posted_at, memo,
    idempotency_key, content_hash, loan_id, source_type, source_id)
    VALUES (%s, 'ADJUSTMENT', '2026-11-22', now(), '', %s, '', NULL, '', '')"""
INSERT_LINE = "INSERT INTO ledger_journalline (entry_id, account_id, debit, credit) VALUES (%s, %s, %s, %s)"


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_unbalanced_entry_written_with_raw_sql(ledger_chart):
    entry_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        _raw(INSERT_ENTRY, [entry_id, "raw-1"])
        _raw(INSERT_LINE, [entry_id, "1100", "10", "0"])
        _raw(INSERT_LINE, [entry_id, "1000", "0", "9"])
    assert not JournalEntry.objects.filter(pk=entry_id).exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_one_legged_entry(ledger_chart):
    entry_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="at least two"), transaction.atomic():
        _raw(INSERT_ENTRY, [entry_id, "raw-2"])
        _raw(INSERT_LINE, [entry_id, "1100", "5", "0"])


@pytest.mark.django_db(transaction=True)
def test_a_line_cannot_join_an_entry_from_an_earlier_transaction(ledger_chart):
    entry = post(key="old")
    with pytest.raises(IntegrityError, match="transaction that creates it"), transaction.atomic():
        _raw(INSERT_LINE, [entry.pk, "1100", "5", "0"])
        _raw(INSERT_LINE, [entry.pk, "1000", "0", "5"])


@pytest.mark.django_db(transaction=True)
def test_a_line_with_both_sides_is_refused_by_a_check(ledger_chart):
    entry_id = uuid.uuid4()
    with pytest.raises(IntegrityError, match="ck_line_exactly_one_side_positive"), transaction.atomic():
        _raw(INSERT_ENTRY, [entry_id, "raw-3"])
        _raw(INSERT_LINE, [entry_id, "1100", "5", "5"])


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_journalline SET debit = debit + 1",
        "DELETE FROM ledger_journalline",
        "UPDATE ledger_journalentry SET memo = 'changed'",
        "DELETE FROM ledger_journalentry",
        "DELETE FROM ledger_account",
    ],
)
@pytest.mark.django_db
def test_entries_lines_and_accounts_refuse_update_and_delete(sql):
    post()
    with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
        _raw(sql)
    assert JournalLine.objects.count() == 2
