"""What the close of business's steps share (interest, penal charges, classification).

Walking a night's candidate loans in chunks: a step gathers the loans it must touch into a
temporary table once, then takes them CHUNK at a time by key, each chunk in its own transaction
(flat memory, no re-scan of the installments, a killed run loses one chunk). The night's
journal entries are keyed by loan and business date, so a re-run posts nothing twice.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Func, IntegerField, TextField
from django.db.models.functions import Cast

from apps.ledger.bulk import EntrySpec
from apps.ledger.services import Line
from apps.loans.models import Loan

CHUNK = 5000
# Bound into every statement that reads only live loans: `status = ANY(%(live)s)`.
LIVE = {"live": [str(status) for status in Loan.LIVE_STATUSES]}


class _HashText(Func):
    function = "hashtext"
    output_field = IntegerField()


# A borrower's place in the book: a hash of its id, 0 to 2^31 - 1. ix_loan_borrower_hash (loans
# 0023) indexes exactly this expression, so a part's loans are an index range, not a scan.
_HASH_SPAN = 2**31


@dataclass(frozen=True)
class Partition:
    """The borrowers whose id hashes into `index` of `count` equal ranges: a share of the book
    one worker closes (apps/repayments/close_of_business.py). By borrower, so that NPA, which is
    borrower-wide, never spans two parts. The whole book is the one part of one."""

    index: int = 0
    count: int = 1

    def __post_init__(self):
        if not (isinstance(self.index, int) and isinstance(self.count, int) and 0 <= self.index < self.count):
            raise ValueError(f"no part {self.index!r} of {self.count!r}")

    @property
    def bounds(self) -> tuple[int, int]:
        """The part's range of borrower hashes, from and below."""
        return self.index * _HASH_SPAN // self.count, (self.index + 1) * _HASH_SPAN // self.count

    def where(self, alias: str = "l") -> str:
        """A condition on the loans table under `alias`, for SQL run with parameters (hence %%)."""
        if self.count == 1:
            return "TRUE"
        low, high = self.bounds
        borrower_hash = f"(hashtext({alias}.borrower_id::text) & {_HASH_SPAN - 1})"
        return f"({borrower_hash} >= {low} AND {borrower_hash} < {high})"

    def loans(self, queryset):
        """`queryset` of loans narrowed to this part: the same condition as `where`."""
        if self.count == 1:
            return queryset
        low, high = self.bounds
        borrower_hash = _HashText(Cast("borrower_id", output_field=TextField())).bitand(_HASH_SPAN - 1)
        return queryset.alias(_part_hash=borrower_hash).filter(_part_hash__gte=low, _part_hash__lt=high)


WHOLE_BOOK = Partition()


def night_entry(day, entry_type, key, loan_id, borrower_id, amount, *, debit, credit, memo) -> EntrySpec:
    """A two-line entry of the night for one loan, keyed by loan and business date."""
    return EntrySpec(
        entry_type=entry_type,
        idempotency_key=f"{key}:{loan_id}:{day.isoformat()}",
        loan_id=loan_id,
        memo=memo,
        source_type="repayments.close_of_business",
        source_id=day.isoformat(),
        lines=[
            Line(debit, debit=amount, loan_id=loan_id, borrower_id=borrower_id),
            Line(credit, credit=amount, loan_id=loan_id, borrower_id=borrower_id),
        ],
    )


def add_to_loans(outstanding: str, suspense: str, per_loan: dict, npa: dict) -> None:
    """A night's amounts onto each loan's `outstanding` column, and onto its `suspense` column too
    for an NPA loan (`npa`: loan id -> bool): one UPDATE for the chunk."""
    execute(
        f"""UPDATE loans_loan l SET {outstanding} = l.{outstanding} + v.amount,
               {suspense} = l.{suspense} + CASE WHEN v.npa THEN v.amount ELSE 0 END, updated_at = now()
           FROM unnest(%(loans)s::uuid[], %(amounts)s::numeric[], %(npas)s::bool[]) AS v(loan_id, amount, npa)
           WHERE l.id = v.loan_id""",
        {"loans": list(per_loan), "amounts": list(per_loan.values()), "npas": [npa[pk] for pk in per_loan]},
    )


def rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def walk_loan_chunks(
    table: str, candidates: str, params: dict, step: Callable[[list], tuple[int, int]]
) -> tuple[int, int]:
    """Fills the temporary `table` (loan_id) once with the distinct loan ids `candidates` (a
    SELECT, run with `params`) returns, then runs `step` on each chunk of them in order, each in
    its own transaction; the two counts `step` returns, summed."""
    execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {table} (loan_id uuid PRIMARY KEY)", {})
    execute(f"TRUNCATE {table}", {})
    execute(f"INSERT INTO {table} SELECT DISTINCT loan_id FROM ({candidates}) AS candidates", params)
    first = second = 0
    after = None
    while True:
        ids = [
            row[0]
            for row in rows(
                f"SELECT loan_id FROM {table} WHERE %(after)s::uuid IS NULL OR loan_id > %(after)s::uuid "
                "ORDER BY loan_id LIMIT %(limit)s",
                {"after": after, "limit": CHUNK},
            )
        ]
        if not ids:
            execute(f"DROP TABLE IF EXISTS {table}", {})
            return first, second
        with transaction.atomic():
            a, b = step(ids)
        first, second, after = first + a, second + b, ids[-1]
