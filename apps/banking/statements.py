"""The sandbox aggregator's bank statements: generated, deterministic, realistic enough to
underwrite on (docs/sandbox.md, "Account aggregator").

Every calendar month of an account is drawn from its own seed (PAN, bank, month), so a month
reads the same whatever window is asked for, and a re-sync finds the same transaction ids. Each
month opens at a balance fixed by that seed and ends with a sweep to or from a fixed deposit that
brings it to the next month's opening: balances run on from month to month.

What each bank holds (the PAN's digits 6-9 set the scale; a PAN starting ZZB is the troubled
profile: thin receipts and an EMI that bounces every other month):

| bank  | account  | besides receipts, supplier payments and salaries                       |
|-------|----------|------------------------------------------------------------------------|
| HDFC  | CURRENT  | GST on the 20th; a BAJAJ FINANCE loan (disbursed 28 Feb 2026, EMI on    |
|       |          | the 5th, "EMI k OF 24"); its 6th EMI bounces, with a return charge       |
| ICICI | CURRENT  | an own transfer to HDFC each month; a cheque returned each August       |
| SBI   | CURRENT  | a TATA CAPITAL EMI on the 10th (a loan from before the window)           |
| AXIS  | SAVINGS  | small receipts and UPI spending only                                     |
"""

import calendar
import datetime
import hashlib
import random
from decimal import Decimal

PAISA = Decimal("0.01")

BUYERS = ("ACME TRADERS PVT LTD", "SHREE GANESH AGENCIES", "NOVA RETAIL LLP", "KAVERI DISTRIBUTORS", "ORBIT MART")
SUPPLIERS = ("PRIME STEEL SUPPLY", "DELTA PACKAGING", "SURYA LOGISTICS", "MEHTA CHEMICALS")
STAFF = ("RAVI KUMAR", "ANITA DESAI", "SURESH PATIL")
SPENDS = ("SWIGGY", "AMAZON", "BESCOM", "AIRTEL", "INDIAN OIL", "DMART")

# The loan the HDFC account services: disbursed in the window, so its rate can be worked out.
# Fixed in the calendar (disbursed 28 February 2026), like every month of these statements.
BAJAJ = {
    "lender": "BAJAJ FINANCE LTD",
    "ref": "LAN4418821",
    "principal": Decimal("300000.00"),
    "tenure": 24,
    "disbursed": (2026, 2),
}
BAJAJ_EMI = Decimal("15415.70")  # 3,00,000 over 24 months at 21% a year
TATA = {"lender": "TATA CAPITAL LTD", "ref": "TCL88213"}
TATA_EMI = Decimal("8250.00")
BOUNCE_CHARGE = Decimal("590.00")

# bank -> (account type, share of the business's receipts, what else it carries)
PROFILES = {
    "HDFC": ("CURRENT", Decimal("0.55"), {"gst", "bajaj", "salaries"}),
    "ICICI": ("CURRENT", Decimal("0.30"), {"sweep_to_hdfc", "cheque_return"}),
    "SBI": ("CURRENT", Decimal("0.15"), {"tata"}),
    "AXIS": ("SAVINGS", Decimal("0.05"), set()),
}


def _rng(*parts) -> random.Random:
    seed = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))  # made-up data, not secrets


def _rupees(value) -> Decimal:
    return Decimal(value).quantize(PAISA)


def _months_back(year: int, month: int, back: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - back
    return index // 12, index % 12 + 1


def monthly_receipts(pan: str) -> Decimal:
    """The business's receipts a month across all its banks: the PAN's digits set the scale."""
    digits = int("".join(ch for ch in pan[5:9] if ch.isdigit()) or 0)
    base = Decimal(200_000 + (digits % 40) * 10_000)
    return base / 4 if pan.startswith("ZZB") else base


def _opening(pan, bank, year, month, scale) -> Decimal:
    return _rupees(scale * Decimal(_rng(pan, bank, year, month, "open").randint(80, 140)) / 100)


def _month_events(pan: str, bank: str, year: int, month: int, per_month: int):
    """(day, direction, amount, narration) of one calendar month, before balances and ids."""
    account_type, share, extras = PROFILES[bank]
    rng = _rng(pan, bank, year, month)
    troubled = pan.startswith("ZZB")
    scale = monthly_receipts(pan) * share
    last_day = calendar.monthrange(year, month)[1]
    tag = f"{calendar.month_abbr[month].upper()}{year % 100:02d}"
    ref = lambda: f"{rng.randrange(10**11, 10**12)}"  # noqa: E731
    events = []

    receipts_count = 6 if account_type == "CURRENT" else 3
    weights = [rng.randint(60, 140) for _ in range(receipts_count)]
    receipts = [_rupees(scale * w / sum(weights)) for w in weights]
    for amount in receipts:
        buyer = rng.choice(BUYERS)
        events.append((rng.randint(1, last_day), "CREDIT", amount, f"NEFT/CR/{buyer}/{ref()}"))
    total = sum(receipts)
    if account_type == "CURRENT":
        spent = total * Decimal(rng.randint(55, 62)) / 100
        for _ in range(3):
            events.append(
                (rng.randint(2, last_day), "DEBIT", _rupees(spent / 3), f"RTGS/DR/{rng.choice(SUPPLIERS)}/{ref()}")
            )
    if "salaries" in extras:
        for name in STAFF:
            events.append((1, "DEBIT", _rupees(total * Decimal("0.025")), f"NEFT/DR/SALARY {tag} {name}/{ref()}"))
    if "gst" in extras:
        events.append((20, "DEBIT", _rupees(total * Decimal("0.06")), f"GST PMT/CBIC/CPIN {ref()}"))
        if month in (6, 9, 12, 3):
            events.append((15, "DEBIT", _rupees(total * Decimal("0.02")), f"ADV TAX/CBDT/{ref()}"))
    if "bajaj" in extras:
        events.extend(_bajaj_events(year, month, troubled))
    if "tata" in extras:
        events.append((10, "DEBIT", TATA_EMI, f"NACH DR/{TATA['lender']}/{TATA['ref']} EMI"))
    if "sweep_to_hdfc" in extras:
        events.append((25, "DEBIT", _rupees(total * Decimal("0.2")), f"IMPS/DR/SELF HDFC/{ref()}"))
    if "cheque_return" in extras and (year * 12 + month) % 12 == 7:
        returned = receipts[0]
        events.append((min(last_day, 28), "DEBIT", returned, f"CHQ RTN/{BUYERS[0]}/CHQ {rng.randint(100000, 999999)}"))
    small = max(0, per_month - len(events) - 1)
    for _ in range(small):
        # The small change of a real account, about 3% of its receipts each way in all: UPI
        # spends, and now and then a small receipt.
        amount = _rupees(max(Decimal(1), scale * Decimal(rng.randint(10, 50)) / 1000 / small))
        if rng.random() < 0.8:
            events.append((rng.randint(1, last_day), "DEBIT", amount, f"UPI/DR/{rng.choice(SPENDS)}/{ref()}"))
        else:
            events.append((rng.randint(1, last_day), "CREDIT", amount, f"UPI/CR/{rng.choice(STAFF)}/{ref()}"))
    return events


def _bajaj_events(year, month, troubled):
    """The loan is disbursed on the 28th; EMIs from the next month's 5th."""
    disbursed = BAJAJ["disbursed"][0] * 12 + BAJAJ["disbursed"][1] - 1
    here = year * 12 + month - 1
    if here == disbursed:
        return [(28, "CREDIT", BAJAJ["principal"], f"LOAN DISB/{BAJAJ['lender']}/{BAJAJ['ref']}")]
    k = here - disbursed
    if not 1 <= k <= BAJAJ["tenure"]:
        return []
    events = [(5, "DEBIT", BAJAJ_EMI, f"NACH DR/{BAJAJ['lender']}/{BAJAJ['ref']} EMI {k} OF {BAJAJ['tenure']}")]
    if k == 6 or (troubled and k % 2 == 0):
        events.append((5, "CREDIT", BAJAJ_EMI, f"NACH RTN/{BAJAJ['lender']}/{BAJAJ['ref']} INSUFFICIENT FUNDS"))
        events.append((6, "DEBIT", BOUNCE_CHARGE, f"NACH RTN CHGS/{BAJAJ['ref']}"))
    return events


def sandbox_statement(*, pan: str, bank: str, date_to: datetime.date, months: int, per_month: int = 24) -> dict:
    """One account's statement from the first day of the month `months` before `date_to`'s,
    to `date_to`: {"link_ref", "masked_number", "type", "balance", "balance_at", "transactions"}."""
    account_type, share, _ = PROFILES[bank]
    window_start = _months_back(date_to.year, date_to.month, months)
    scale = monthly_receipts(pan) * share
    transactions = []
    for back in range(months, -1, -1):
        year, month = _months_back(date_to.year, date_to.month, back)
        balance = _opening(pan, bank, year, month, scale)
        events = _month_events(pan, bank, year, month, per_month)
        # A fixed order within the month: by day, then as generated (credits of a day first).
        events.sort(key=lambda e: (e[0], e[1] != "CREDIT"))
        last_day = calendar.monthrange(year, month)[1]
        flows = sum(a if d == "CREDIT" else -a for _, d, a, _ in events)
        ny, nm = _months_back(year, month, -1)
        sweep = _opening(pan, bank, ny, nm, scale) - (balance + flows)
        if sweep:
            kind, direction = ("SWEEP FROM FD", "CREDIT") if sweep > 0 else ("SWEEP TO FD", "DEBIT")
            events.append((last_day, direction, abs(sweep), f"{kind}/{bank}{year}{month:02d}"))
        for seq, (day, direction, amount, narration) in enumerate(events):
            date = datetime.date(year, month, day)
            if date > date_to:
                continue
            balance += amount if direction == "CREDIT" else -amount
            posted = datetime.datetime.combine(date, datetime.time(9), tzinfo=datetime.UTC)
            transactions.append(
                {
                    "txn_id": f"{bank}{year}{month:02d}{seq:05d}",
                    "posted_at": (posted + datetime.timedelta(seconds=seq)).isoformat(),
                    "value_date": date.isoformat(),
                    "type": direction,
                    "amount": str(amount),
                    "balance": str(balance),
                    "narration": narration,
                }
            )
    digits = _rng(pan, bank, "account").randrange(10**11, 10**12)
    closing = Decimal(transactions[-1]["balance"]) if transactions else _opening(pan, bank, *window_start, scale)
    return {
        "link_ref": f"{bank}-{hashlib.sha256(f'{pan}|{bank}'.encode()).hexdigest()[:16]}",
        "masked_number": f"XXXXXXXX{str(digits)[-4:]}",
        "type": account_type,
        "balance": str(closing),
        "balance_at": datetime.datetime.combine(date_to, datetime.time(18), tzinfo=datetime.UTC).isoformat(),
        "transactions": transactions,
    }
