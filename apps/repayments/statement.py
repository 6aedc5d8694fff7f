"""A loan's statement of account, read from the ledger: what the borrower owed at the start,
every movement of what they owe (disbursement, interest falling due, penal and bounce charges,
payments, waivers, recoveries, write-off, reversals) with a running balance, and what they owed
at the end.

What a borrower owes is the loan's receivables in the books: principal, interest receivable
and charges receivable. A journal entry's line on the statement is its net effect on them, but
a payment shows the money received, with what was charged in the same breath (interest not yet
due, broken-period interest: income at once, never a receivable) as its own line, so the
borrower sees every rupee they paid. An excess held as an advance is not a payment of the debt.
Entries that do not touch the debt (interest moved to suspense) are left out. So the closing
balance is, by construction, what the ledger says the loan owes on `to`.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, Sum

from apps.core.business_date import get_business_date
from apps.core.errors import InvalidInput
from apps.core.money import ZERO
from apps.ledger import chart
from apps.ledger.models import JournalEntry, JournalLine
from apps.loans.models import Loan

RECEIVABLES = (chart.LOAN_PRINCIPAL, chart.INTEREST_RECEIVABLE, chart.CHARGES_RECEIVABLE)
# Entries in which the borrower pays: the money in is the line, not only the debt it cleared.
PAYMENT_TYPES = ("REPAYMENT", "RECOVERY")
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


def _line(row, description, debit, credit, balance) -> dict:
    return {
        "date": row["entry__business_date"],
        "description": description,
        "debit": debit,
        "credit": credit,
        "balance": balance,
    }


def _paid_by_entry(loan: Loan, window: dict) -> dict:
    """{entry id: what the borrower paid in it}: money in from the bank or from the borrower's
    advances, less what of it was parked as an advance (an excess is not a payment of the debt)."""
    cash = JournalLine.objects.filter(
        loan_id=loan.pk,
        entry__entry_type__in=PAYMENT_TYPES,
        account_id__in=(chart.BANK_COLLECTIONS, chart.BORROWER_ADVANCES),
        **window,
    )
    rows = cash.values("entry_id").annotate(
        into=Sum("debit", filter=Q(account_id=chart.BANK_COLLECTIONS)),
        from_advances=Sum("debit", filter=Q(account_id=chart.BORROWER_ADVANCES)),
        parked=Sum("credit", filter=Q(account_id=chart.BORROWER_ADVANCES)),
    )
    return {
        row["entry_id"]: (row["into"] or ZERO) + (row["from_advances"] or ZERO) - (row["parked"] or ZERO)
        for row in rows
    }


def loan_statement(*, loan: Loan, date_from: datetime.date | None, date_to: datetime.date | None) -> Statement:
    """From the disbursement (or `date_from`) to the business date (or `date_to`), both included."""
    start = date_from or loan.disbursed_on or loan.created_at.date()
    end = date_to or get_business_date()
    if start > end:
        raise InvalidInput("The statement must start on or before its end.", field="from")
    lines = _receivable_lines(loan)
    opening = lines.filter(entry__business_date__lt=start).aggregate(b=Sum(F("debit") - F("credit")))["b"] or ZERO
    window = {"entry__business_date__gte": start, "entry__business_date__lte": end}
    movements = (
        lines.filter(**window)
        .values("entry_id", "entry__business_date", "entry__entry_type", "entry__memo", "entry__posted_at")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("entry__business_date", "entry__posted_at", "entry_id")
    )
    paid = _paid_by_entry(loan, window)
    statement = Statement(loan=loan, date_from=start, date_to=end, opening_balance=opening)
    balance = opening
    for row in movements:
        net = row["debit"] - row["credit"]
        received = paid.get(row["entry_id"], ZERO)
        label = DESCRIPTIONS.get(row["entry__entry_type"], row["entry__entry_type"].title())
        memo = row["entry__memo"]
        text = f"{label}: {memo}" if memo and memo != label else label
        if received:
            # A payment: what came in, and what of it was charged at the same moment (interest
            # not yet due, broken-period interest) — both shown, the debt moving by the difference.
            charged_now = received + net
            if charged_now > 0:
                balance += charged_now
                statement.lines.append(_line(row, "Interest charged with the payment", charged_now, ZERO, balance))
            balance -= received
            statement.lines.append(_line(row, text, ZERO, received, balance))
            continue
        if not net:
            continue
        balance += net
        statement.lines.append(_line(row, text, max(net, ZERO), max(-net, ZERO), balance))
    statement.closing_balance = balance
    return statement
