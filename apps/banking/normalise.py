"""A bank's transaction as the aggregator reports it, made into our row: a direction, a positive
amount, the date, the balance after, the narration, and the counterparty and category read from
the narration. Pure functions, so the rules are tested on narrations alone.

Indian bank narrations are loosely "MODE/DIRECTION/NAME/REFERENCE" (NEFT, RTGS, IMPS, UPI) or
"KIND/NAME/REFERENCE" (NACH debits and returns, loan disbursals, cheque returns); the rules below
are keyword rules, checked in order, the first that matches wins.
"""

import datetime
import re
from decimal import Decimal

from apps.banking.models import BankTransaction
from apps.core.money import round_money

Category = BankTransaction.Category

# Checked in order: a return's charge is a charge, not a bounce; a return is a bounce, not an EMI.
CATEGORY_RULES = (
    (re.compile(r"\bRTN CHGS\b|\bCHGS\b|\bCHARGES?\b"), Category.CHARGES),
    (re.compile(r"\bRTN\b|\bRETURN(ED)?\b|\bBOUNCE|\bDISHONOU?R"), Category.BOUNCE),
    (re.compile(r"\bLOAN DISB"), Category.LOAN),
    (re.compile(r"\bEMI\b|\bNACH DR\b|\bECS DR\b"), Category.EMI),
    (re.compile(r"\bGST\b|\bCBIC\b"), Category.GST),
    (re.compile(r"\bADV TAX\b|\bINCOME TAX\b|\bTDS\b|\bCBDT\b"), Category.TAX),
    (re.compile(r"\bSALARY\b|\bPAYROLL\b"), Category.SALARY),
    (re.compile(r"\bSELF\b|\bSWEEP\b|\bOWN A/?C\b"), Category.TRANSFER),
    (re.compile(r"\bATM\b|\bCASH\b"), Category.CASH),
)

# The name in a "MODE/DIRECTION/NAME/..." narration is its third part; in "KIND/NAME/..." its second.
_MODE_HEADS = {"NEFT", "RTGS", "IMPS", "UPI"}
_NAMED_HEADS = {"NACH DR", "NACH RTN", "ECS DR", "LOAN DISB", "CHQ RTN"}
_FIXED_NAMES = {"GST PMT": "CBIC", "ADV TAX": "CBDT"}


def categorise(narration: str, direction: str) -> str:
    text = narration.upper()
    for pattern, category in CATEGORY_RULES:
        if pattern.search(text):
            return category
    return Category.RECEIPT if direction == BankTransaction.Direction.CREDIT else Category.PAYMENT


def counterparty_of(narration: str) -> str:
    parts = [part.strip() for part in narration.upper().split("/")]
    head = parts[0]
    if head in _FIXED_NAMES:
        return _FIXED_NAMES[head]
    if head in _MODE_HEADS and len(parts) >= 3:
        name = parts[2]
    elif head in _NAMED_HEADS and len(parts) >= 2:
        name = parts[1]
    else:
        return ""
    # A salary line names the employee after the month: "SALARY NOV26 RAVI KUMAR".
    name = re.sub(r"^SALARY [A-Z]{3}\d{2} ", "", name)
    return name[:120]


# What a money column holds (numeric(18, 2)): anything beyond is a malformed answer.
LARGEST = Decimal("9999999999999999.99")


def money(value) -> Decimal:
    """A bank's figure as rupees; ValueError when it is not a finite amount a column can hold."""
    amount = Decimal(str(value))
    if not amount.is_finite() or abs(amount) > LARGEST:
        raise ValueError(f"not an amount: {value!r}")
    return round_money(amount)


def normalised(txn: dict) -> dict:
    """The aggregator's transaction → the fields of a BankTransaction (KeyError/ValueError on a
    malformed one: the caller refuses the bank's whole answer)."""
    direction = {"CREDIT": "CREDIT", "DEBIT": "DEBIT"}[str(txn["type"]).upper()]
    amount = money(txn["amount"])
    if amount <= 0:
        raise ValueError(f"transaction {txn.get('txn_id')} has amount {amount}")
    narration = str(txn.get("narration", ""))[:255]
    return {
        "txn_id": str(txn["txn_id"])[:64],
        "posted_at": datetime.datetime.fromisoformat(txn["posted_at"]),
        "date": datetime.date.fromisoformat(txn["value_date"]),
        "direction": direction,
        "amount": amount,
        "balance_after": money(txn["balance"]),
        "narration": narration,
        "counterparty": counterparty_of(narration),
        "category": categorise(narration, direction),
    }
