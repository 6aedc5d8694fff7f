"""An entry's lines, checked and fingerprinted: the rules every posting path shares (one row
with `journal_post`, many with `journal_post_many`). Plain functions, no database."""

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from apps.core.errors import InvalidInput
from apps.core.money import LEDGER_PLACES, ZERO
from apps.ledger import chart

# The chart is fixed by migration, so codes are checked without a query.
CHART_CODES = frozenset(code for code, _, _ in chart.CHART)


@dataclass(frozen=True)
class Line:
    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    loan_id: uuid.UUID | None = None
    borrower_id: uuid.UUID | None = None


def validated_lines(lines: Sequence[Line]) -> list[Line]:
    if len(lines) < 2:
        raise InvalidInput("An entry needs at least two lines.", field="lines")
    clean = []
    for index, line in enumerate(lines):
        if isinstance(line.debit, float) or isinstance(line.credit, float):
            raise InvalidInput(f"line {index}: amounts must be Decimal, not float.", field="lines")
        debit, credit = Decimal(line.debit), Decimal(line.credit)
        if debit.quantize(LEDGER_PLACES) != debit or credit.quantize(LEDGER_PLACES) != credit:
            raise InvalidInput(f"line {index}: at most four decimal places.", field="lines")
        if debit < 0 or credit < 0 or (debit > 0) == (credit > 0):
            raise InvalidInput(f"line {index}: exactly one of debit and credit must be positive.", field="lines")
        if str(line.account) not in CHART_CODES:
            raise InvalidInput(f"line {index}: unknown account {line.account!r}.", field="lines")
        clean.append(Line(str(line.account), debit, credit, line.loan_id, line.borrower_id))
    debits, credits = sum(line.debit for line in clean), sum(line.credit for line in clean)
    if debits != credits:
        raise InvalidInput(f"Unbalanced entry: debits {debits} <> credits {credits}.", field="lines")
    return clean


def content_hash(entry_type: str, lines: list[Line], loan_id) -> str:
    canonical = sorted(
        (
            line.account,
            str(line.debit.normalize()),
            str(line.credit.normalize()),
            str(line.loan_id or ""),
            str(line.borrower_id or ""),
        )
        for line in lines
    )
    payload = json.dumps([entry_type, str(loan_id or ""), canonical])
    return hashlib.sha256(payload.encode()).hexdigest()
