"""Posting many entries in one statement, for set-based jobs (the nightly close of business).

Same rules as `journal_post`: each entry balanced (checked here and by the database at
commit), idempotency keys unique (an entry whose key exists is skipped, with its lines; a key
twice in the batch is one entry), and both snapshots updated in the same statement, in account
order. tests/ledger/test_bulk_matches_single.py holds the two writers to the same rows.
"""

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction

from apps.core.errors import Conflict, InvalidInput
from apps.ledger.entries import Line, content_hash, validated_lines
from apps.ledger.models import STRIPES


@dataclass(frozen=True)
class EntrySpec:
    entry_type: str
    idempotency_key: str
    lines: Sequence[Line]
    loan_id: object = None
    memo: str = ""
    source_type: str = ""
    source_id: str = ""
    # Set when the caller's rows point at the entry (a repayment's journal_entry); else drawn here.
    entry_id: uuid.UUID | None = None


_BULK_SQL = """
WITH spec AS (
    SELECT * FROM unnest(%(keys)s::varchar[], %(types)s::varchar[], %(hashes)s::varchar[], %(memos)s::varchar[],
                         %(loans)s::uuid[], %(stypes)s::varchar[], %(sids)s::varchar[], %(ids)s::uuid[])
        AS s(key, entry_type, content_hash, memo, loan_id, source_type, source_id, id)
), e AS (
    INSERT INTO ledger_journalentry
        (id, entry_type, business_date, posted_at, memo, actor_id, idempotency_key, content_hash,
         reverses_id, loan_id, source_type, source_id)
    SELECT coalesce(id, gen_random_uuid()), entry_type, %(day)s, now(), memo, NULL, key, content_hash, NULL, loan_id,
           source_type, source_id
    FROM spec
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id, idempotency_key
), lines AS (
    SELECT * FROM unnest(%(lkeys)s::varchar[], %(accounts)s::varchar[], %(debits)s::numeric[],
                         %(credits)s::numeric[], %(lloans)s::uuid[], %(borrowers)s::uuid[])
        AS l(key, account, debit, credit, loan_id, borrower_id)
), l AS (
    INSERT INTO ledger_journalline (entry_id, account_id, debit, credit, loan_id, borrower_id)
    SELECT e.id, lines.account, lines.debit, lines.credit, lines.loan_id, lines.borrower_id
    FROM lines JOIN e ON e.idempotency_key = lines.key
    RETURNING account_id, debit, credit, loan_id
), b AS (
    INSERT INTO ledger_accountbalancestripe AS t (account_id, stripe, debit_total, credit_total)
    SELECT account_id, %(stripe)s, sum(debit), sum(credit) FROM l GROUP BY account_id ORDER BY account_id
    ON CONFLICT (account_id, stripe) DO UPDATE
        SET debit_total = t.debit_total + EXCLUDED.debit_total, credit_total = t.credit_total + EXCLUDED.credit_total
), lb AS (
    INSERT INTO ledger_accountloanbalance AS t (loan_id, account_id, debit_total, credit_total)
    SELECT loan_id, account_id, sum(debit), sum(credit) FROM l WHERE loan_id IS NOT NULL
    GROUP BY loan_id, account_id ORDER BY loan_id, account_id
    ON CONFLICT (loan_id, account_id) DO UPDATE
        SET debit_total = t.debit_total + EXCLUDED.debit_total, credit_total = t.credit_total + EXCLUDED.credit_total
)
SELECT count(*) FROM e
"""


def journal_post_many(specs: Sequence[EntrySpec], *, business_date: date, stripe: int | None = None) -> int:
    """Post every spec whose key is new; returns how many entries were written. `stripe`: the
    balance stripe to add to; a caller posting several batches in one transaction names one, so
    two such transactions never take two stripes in opposite orders (a deadlock)."""
    if not specs:
        return 0
    columns = {name: [] for name in ("keys", "types", "hashes", "memos", "loans", "stypes", "sids", "ids")}
    line_columns = {name: [] for name in ("lkeys", "accounts", "debits", "credits", "lloans", "borrowers")}
    hashes: dict[str, str] = {}
    for spec in specs:
        if not spec.idempotency_key:
            raise InvalidInput("An idempotency key is required.", field="idempotency_key")
        clean = validated_lines(spec.lines)
        fingerprint = content_hash(spec.entry_type, clean, spec.loan_id)
        # A key twice in one batch is one entry, as journal_post would make it: the statement
        # would insert the entry once and join both specs' lines to it.
        if spec.idempotency_key in hashes:
            if hashes[spec.idempotency_key] != fingerprint:
                raise Conflict(
                    f"Idempotency key {spec.idempotency_key!r} is used twice for different entries.",
                    code="idempotency_conflict",
                )
            continue
        hashes[spec.idempotency_key] = fingerprint
        columns["keys"].append(spec.idempotency_key)
        columns["types"].append(spec.entry_type)
        columns["hashes"].append(fingerprint)
        columns["memos"].append(spec.memo[:255])
        columns["loans"].append(spec.loan_id)
        columns["stypes"].append(spec.source_type)
        columns["sids"].append(str(spec.source_id)[:64])
        columns["ids"].append(spec.entry_id)
        for line in clean:
            line_columns["lkeys"].append(spec.idempotency_key)
            line_columns["accounts"].append(line.account)
            line_columns["debits"].append(line.debit)
            line_columns["credits"].append(line.credit)
            line_columns["lloans"].append(line.loan_id)
            line_columns["borrowers"].append(line.borrower_id)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # One stripe per batch: its rows are locked until the batch commits, and the other
        # stripes stay free for the postings arriving meanwhile.
        stripe = random.randrange(STRIPES) if stripe is None else stripe
        cursor.execute(_BULK_SQL, {**columns, **line_columns, "day": business_date, "stripe": stripe})
        return cursor.fetchone()[0]
