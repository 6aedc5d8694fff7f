"""Bulk posting (journal_post_many, the close of business) and single posting (journal_post) are two
writers of the same books: for the same input they write the same entries, lines and snapshot rows.

Each writer runs on the same starting state in a savepoint that is rolled back afterwards; both
pick the same stripe (single posting takes it from the entry id, bulk posting at random per batch).
"""

import datetime
import os
import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from apps.core.errors import Conflict
from apps.ledger import chart
from apps.ledger.bulk import EntrySpec, journal_post_many
from apps.ledger.models import AccountBalanceStripe, AccountLoanBalance, JournalEntry, JournalLine
from apps.ledger.services import Line, journal_post

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 22)
STRIPE = 5
LOAN_A, LOAN_B = uuid.UUID(int=0xA), uuid.UUID(int=0xB)
BORROWER = uuid.UUID(int=0xC)

SPECS = [
    EntrySpec(
        "INTEREST_DUE",
        "same:interest:A",
        [
            Line(chart.INTEREST_RECEIVABLE, debit=Decimal("123.4567"), loan_id=LOAN_A, borrower_id=BORROWER),
            Line(chart.INTEREST_INCOME, credit=Decimal("123.4567"), loan_id=LOAN_A, borrower_id=BORROWER),
        ],
        loan_id=LOAN_A,
        memo="interest for the day",
        source_type="loans.loan",
        source_id=str(LOAN_A),
    ),
    # An account twice in one entry, and a line without a loan.
    EntrySpec(
        "SUSPENSE",
        "same:suspense:B",
        [
            Line(chart.INTEREST_INCOME, debit=Decimal("10.00"), loan_id=LOAN_B),
            Line(chart.INTEREST_INCOME, debit=Decimal("0.0001"), loan_id=LOAN_B),
            Line(chart.INTEREST_SUSPENSE, credit=Decimal("10.0001")),
        ],
        loan_id=LOAN_B,
        memo="x" * 300,
    ),
    EntrySpec(
        "ADJUSTMENT",
        "same:adjustment",
        [Line(chart.CAPITAL, credit=Decimal("5")), Line(chart.BANK_DISBURSEMENT, debit=Decimal("5"))],
    ),
    # Posted before the batch: both writers leave it alone.
    EntrySpec(
        "INTEREST_DUE",
        "same:already-posted",
        [
            Line(chart.INTEREST_RECEIVABLE, debit=Decimal("1.00"), loan_id=LOAN_A),
            Line(chart.INTEREST_INCOME, credit=Decimal("1.00"), loan_id=LOAN_A),
        ],
        loan_id=LOAN_A,
    ),
]
ALREADY_POSTED = SPECS[-1]
# The same entry twice in one input: one entry, as a retry would be.
SPECS.append(SPECS[0])


def _single(spec: EntrySpec):
    journal_post(
        entry_type=spec.entry_type,
        lines=spec.lines,
        idempotency_key=spec.idempotency_key,
        business_date=DAY,
        memo=spec.memo,
        loan_id=spec.loan_id,
        source_type=spec.source_type,
        source_id=spec.source_id,
    )


def _rows():
    keys = [spec.idempotency_key for spec in SPECS]
    entries = {
        entry["idempotency_key"]: entry
        for entry in JournalEntry.objects.filter(idempotency_key__in=keys).values(
            "idempotency_key",
            "entry_type",
            "business_date",
            "memo",
            "actor_id",
            "content_hash",
            "reverses_id",
            "loan_id",
            "source_type",
            "source_id",
        )
    }
    lines = sorted(
        JournalLine.objects.filter(entry__idempotency_key__in=keys).values_list(
            "entry__idempotency_key", "account_id", "debit", "credit", "loan_id", "borrower_id"
        )
    )
    stripes = sorted(AccountBalanceStripe.objects.values_list("account_id", "stripe", "debit_total", "credit_total"))
    loan_balances = sorted(
        AccountLoanBalance.objects.values_list("loan_id", "account_id", "debit_total", "credit_total")
    )
    return {"entries": entries, "lines": lines, "stripes": stripes, "loan_balances": loan_balances}


class _Undo(Exception):
    pass


def _written_by(write) -> dict:
    try:
        with transaction.atomic():
            write()
            rows = _rows()
            raise _Undo
    except _Undo:
        return rows


def test_a_key_twice_in_one_batch_with_other_lines_conflicts():
    other = EntrySpec(SPECS[0].entry_type, SPECS[0].idempotency_key, SPECS[2].lines)
    with pytest.raises(Conflict):
        journal_post_many([SPECS[0], other], business_date=DAY)


def test_bulk_and_single_posting_write_the_same_rows(monkeypatch):
    monkeypatch.setattr("apps.ledger.services.uuid.uuid4", lambda: uuid.UUID(bytes=os.urandom(15) + bytes([STRIPE])))
    monkeypatch.setattr("apps.ledger.bulk.random.randrange", lambda n: STRIPE)
    _single(ALREADY_POSTED)

    def single():
        for spec in SPECS:
            _single(spec)

    def bulk():
        assert journal_post_many(SPECS, business_date=DAY) == 3

    by_single, by_bulk = _written_by(single), _written_by(bulk)
    assert by_single == by_bulk
    assert len(by_single["entries"]) == 4 and len(by_single["lines"]) == 9
    assert (chart.INTEREST_INCOME, STRIPE, Decimal("10.0001"), Decimal("124.4567")) in by_single["stripes"]


def test_an_entry_id_the_caller_chose_is_the_entry_written():
    """The set-based repayment writer points its rows at entries by ids it draws itself."""
    chosen = uuid.uuid4()
    spec = EntrySpec(
        "ADJUSTMENT",
        "chosen:id",
        [Line(chart.CAPITAL, credit=Decimal("7.00")), Line(chart.BANK_DISBURSEMENT, debit=Decimal("7.00"))],
        entry_id=chosen,
    )
    assert journal_post_many([spec, SPECS[2]], business_date=DAY) == 2
    assert JournalEntry.objects.get(idempotency_key="chosen:id").pk == chosen
    assert JournalEntry.objects.get(idempotency_key=SPECS[2].idempotency_key).pk != chosen
