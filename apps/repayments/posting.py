"""The ledger lines of a repayment, derived from its allocation and the loan's state.

Interest not yet fallen due (paid early) has never been accrued, so it is income at once;
accrued interest clears the receivable, and while interest sits in suspense (NPA) the part
paid moves from suspense to income: it is realised now. Penal charges accrued while NPA sit in
their own suspense; charges paid release it first, to penal income.
"""

from typing import NamedTuple

from apps.core.money import ZERO
from apps.ledger import chart
from apps.ledger.services import Line, on_loan


class Posting(NamedTuple):
    lines: list
    interest_released: object  # Decimal: from interest suspense to income
    penal_released: object  # Decimal: from penal suspense to income


def repayment_lines(
    loan, *, penalty, interest_accrued, interest_unaccrued, principal, extra_income=ZERO, bank=None
) -> Posting:
    common = on_loan(loan)
    total = penalty + interest_accrued + interest_unaccrued + principal + extra_income
    lines = [Line(bank or chart.BANK_COLLECTIONS, debit=total, **common)]
    if penalty:
        lines.append(Line(chart.CHARGES_RECEIVABLE, credit=penalty, **common))
    if interest_accrued:
        lines.append(Line(chart.INTEREST_RECEIVABLE, credit=interest_accrued, **common))
    if interest_unaccrued or extra_income:
        lines.append(Line(chart.INTEREST_INCOME, credit=interest_unaccrued + extra_income, **common))
    if principal:
        lines.append(Line(chart.LOAN_PRINCIPAL, credit=principal, **common))
    released = min(loan.interest_suspense, interest_accrued)
    if released:
        lines.append(Line(chart.INTEREST_SUSPENSE, debit=released, **common))
        lines.append(Line(chart.INTEREST_INCOME, credit=released, **common))
    penal = min(loan.penal_suspense, penalty)
    if penal:
        lines.append(Line(chart.PENAL_SUSPENSE, debit=penal, **common))
        lines.append(Line(chart.PENAL_INCOME, credit=penal, **common))
    return Posting(lines, released, penal)
