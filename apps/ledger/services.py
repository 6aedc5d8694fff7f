"""The one way money moves: `journal_post` and `journal_reverse`.

A posting is one call of the `ledger_post` database function: the entry (ON CONFLICT on its
idempotency key), its lines and both balance snapshots, written by statements PostgreSQL has
already planned, in one round trip. The snapshot rows are upserted in key order, which is the
lock order, so concurrent postings cannot deadlock on them. The database re-checks the balance
at commit.

Both read the primary even when called inside `use_replica()`: a replay or a reversal that read
a lagging replica would answer with, or mirror, the wrong entry.
"""

import uuid
from collections.abc import Sequence
from datetime import date

import psycopg
from django.db import connection, transaction

from apps.audit.services import record
from apps.core.errors import Conflict, InvalidInput, required_reason
from apps.core.replica import use_primary
from apps.ledger.entries import Line, content_hash, validated_lines
from apps.ledger.models import JournalEntry

# The statements live in the `ledger_post` function (apps/ledger/sql/ledger_post_v2.sql, installed
# by migration 0004): planned once per connection, one round trip per posting.
_POST_SQL = (
    "SELECT ledger_post(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "%s::varchar[], %s::numeric[], %s::numeric[], %s::uuid[], %s::uuid[])"
)


def source_of(row) -> dict:
    """journal_post's `source_type` and `source_id` for the model row an entry books."""
    return {"source_type": row._meta.label_lower, "source_id": str(row.pk)}


def money_row_book(row, *, entry_type: str, lines: Sequence[Line], key: str, memo: str, actor=None):
    """Post the entry of a money row (a repayment, a bounce, a waiver, a credit held for the
    borrower), then write the row once, pointing at it. `row` has its id already (set on
    construction), its `loan_id` and its `business_date`; `key` is the entry's idempotency key,
    made of the row's id, so a retry of the same row finds the same entry."""
    row.journal_entry = journal_post(
        entry_type=entry_type,
        lines=lines,
        idempotency_key=key,
        business_date=row.business_date,
        memo=memo,
        loan_id=row.loan_id,
        **source_of(row),
        actor=actor,
    )
    row.save(force_insert=True)
    return row


def on_loan(loan) -> dict:
    """A line's loan and borrower tags (the per-loan balances and the borrower's statement)."""
    return {"loan_id": loan.pk, "borrower_id": loan.borrower_id}


@use_primary()
def journal_post(
    *,
    entry_type: str,
    lines: Sequence[Line],
    idempotency_key: str,
    business_date: date,
    memo: str = "",
    loan_id=None,
    source_type: str = "",
    source_id: str = "",
    actor=None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post a balanced entry, or return the one already posted under this key.

    The same key with different content is a Conflict: a retry must describe the same money.
    """
    if entry_type not in JournalEntry.Type.values:
        raise InvalidInput(f"Unknown entry type {entry_type!r}.", field="entry_type")
    if not idempotency_key:
        raise InvalidInput("An idempotency key is required.", field="idempotency_key")
    clean = validated_lines(lines)
    fingerprint = content_hash(entry_type, clean, loan_id)
    entry_id = uuid.uuid4()
    params = [
        entry_id,
        entry_type,
        business_date,
        memo[:255],
        getattr(actor, "pk", None),
        idempotency_key,
        fingerprint,
        getattr(reverses, "pk", None),
        loan_id,
        source_type,
        str(source_id)[:64],
        [line.account for line in clean],
        [line.debit for line in clean],
        [line.credit for line in clean],
        [line.loan_id for line in clean],
        [line.borrower_id for line in clean],
    ]
    # No savepoint: a failure here fails the caller's transaction anyway, and the round trips
    # saved are most of a posting's cost.
    with transaction.atomic(savepoint=False):
        connection.ensure_connection()
        # A plain psycopg cursor sends the parameters apart from the SQL (server-side binding),
        # where Django's client-side cursor would render the arrays into new SQL text each time.
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(_POST_SQL, params)
            posted_at = cursor.fetchone()[0]
    if posted_at is None:
        existing = JournalEntry.objects.get(idempotency_key=idempotency_key)
        if existing.content_hash != fingerprint:
            raise Conflict(
                f"Idempotency key {idempotency_key!r} was used for a different entry.", code="idempotency_conflict"
            )
        return existing
    entry = JournalEntry(
        id=entry_id,
        entry_type=entry_type,
        business_date=business_date,
        posted_at=posted_at,
        memo=memo[:255],
        actor_id=getattr(actor, "pk", None),
        idempotency_key=idempotency_key,
        content_hash=fingerprint,
        reverses_id=getattr(reverses, "pk", None),
        loan_id=loan_id,
        source_type=source_type,
        source_id=str(source_id)[:64],
    )
    entry._state.adding, entry._state.db = False, connection.alias  # it is in the database now
    return entry


@use_primary()
@transaction.atomic
def journal_reverse(*, entry: JournalEntry, reason: str, actor=None, business_date: date | None = None) -> JournalEntry:
    """Post the mirror image of `entry` once; a second call returns the same reversal."""
    reason = required_reason(reason)
    if entry.entry_type == JournalEntry.Type.REVERSAL:
        raise Conflict("A reversal is corrected by a new entry, not reversed again.")
    mirror = [
        Line(line.account_id, debit=line.credit, credit=line.debit, loan_id=line.loan_id, borrower_id=line.borrower_id)
        for line in entry.lines.all()
    ]
    reversal = journal_post(
        entry_type=JournalEntry.Type.REVERSAL,
        lines=mirror,
        idempotency_key=f"reversal:{entry.pk}",
        business_date=business_date or entry.business_date,
        memo=f"Reversal of {entry.pk}: {reason}"[:255],
        loan_id=entry.loan_id,
        source_type="ledger.journalentry",
        source_id=str(entry.pk),
        actor=actor,
        reverses=entry,
    )
    record("ledger.entry_reversed", obj=entry, after={"reversal": str(reversal.pk)}, actor=actor, reason=reason)
    return reversal
