"""A loan's statement of account, read from the ledger: what the borrower owed at the start,
every movement of what they owe (disbursement, interest falling due, penal and bounce charges,
payments, waivers, recoveries, write-off, reversals) with a running balance, and what they owed
at the end.

What a borrower owes is the loan's receivables in the books: principal, interest receivable
and charges receivable. A journal entry's line on the statement is its net effect on them;
entries that do not touch them (interest moved to suspense, excess payments held as advances)
are not movements of the debt and are left out. So the closing balance is, by construction,
what the ledger says the loan owes on `to`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum

from apps.core.business_date import get_business_date
from apps.core.errors import InvalidInput
from apps.core.money import ZERO
from apps.ledger import chart
from apps.ledger.models import JournalEntry, JournalLine
from apps.loans.models import Loan

RECEIVABLES = (chart.LOAN_PRINCIPAL, chart.INTEREST_RECEIVABLE, chart.CHARGES_RECEIVABLE)
T = JournalEntry.Type
DESCRIPTIONS = {
    T.DISBURSEMENT: "Loan disbursed",
    T.FEE: "Fee",
    T.INTEREST_DUE: "Interest for the installment due",
    T.REPAYMENT: "Payment received",
    T.BOUNCE_CHARGE: "Bounce charge",
    T.PENAL_CHARGE: "Penal charge",
    T.RECOVERY: "Recovered",
    T.WRITE_OFF: "Written off",
    T.WAIVER: "Charges waived",
    T.REVERSAL: "Reversal",
    T.ADJUSTMENT: "Adjustment",
}


@dataclass
class Statement:
    loan: Loan
    date_from: datetime.date
    date_to: datetime.date
    opening_balance: Decimal = ZERO
    lines: list[dict] = field(default_factory=list)
    closing_balance: Decimal = ZERO


def _receivable_lines(loan: Loan):
    return JournalLine.objects.filter(loan_id=loan.pk, account_id__in=RECEIVABLES)


def loan_statement(*, loan: Loan, date_from: datetime.date | None, date_to: datetime.date | None) -> Statement:
    """From the disbursement (or `date_from`) to the business date (or `date_to`), both included."""
    start = date_from or loan.disbursed_on or loan.created_at.date()
    end = date_to or get_business_date()
    if start > end:
        raise InvalidInput("The statement must start on or before its end.", field="from")
    lines = _receivable_lines(loan)
    opening = lines.filter(entry__business_date__lt=start).aggregate(b=Sum(F("debit") - F("credit")))["b"] or ZERO
    movements = (
        lines.filter(entry__business_date__gte=start, entry__business_date__lte=end)
        .values("entry_id", "entry__business_date", "entry__entry_type", "entry__memo", "entry__posted_at")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("entry__business_date", "entry__posted_at", "entry_id")
    )
    statement = Statement(loan=loan, date_from=start, date_to=end, opening_balance=opening)
    balance = opening
    for row in movements:
        net = row["debit"] - row["credit"]
        if not net:
            continue
        balance += net
        label = DESCRIPTIONS.get(row["entry__entry_type"], row["entry__entry_type"].title())
        memo = row["entry__memo"]
        statement.lines.append(
            {
                "date": row["entry__business_date"],
                "description": f"{label}: {memo}" if memo and memo != label else label,
                "debit": net if net > 0 else ZERO,
                "credit": -net if net < 0 else ZERO,
                "balance": balance,
            }
        )
    statement.closing_balance = balance
    return statement
