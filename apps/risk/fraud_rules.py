"""The fraud and velocity rules: pure functions of plain facts and live thresholds.

Each rule looks at the `Facts` of one attempted action and returns a `Hit` (which subject,
what it saw, REVIEW or BLOCK) or None. The facts are gathered from the database by
apps/risk/screens.py; the rules never query, so each is tested with a hit and a miss on its
own (tests/risk/test_fraud_rules.py). Thresholds are live settings (FRAUD_* in the admin's Live
settings), read once per screening and passed in as `t`.

Two identities the issue names are refused outright at entry rather than screened here: a bank
account number held by another business (BankAccount.account_hash is unique: 409) and a phone
(User.phone is unique, and one user owns one business).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

REVIEW, BLOCK = "REVIEW", "BLOCK"


@dataclass(frozen=True)
class Facts:
    action: str
    business_id: str = ""
    user_id: str = ""
    # Other businesses that share this one's PAN, or the device this action comes from.
    businesses_sharing_pan: tuple[str, ...] = ()
    businesses_sharing_device: tuple[str, ...] = ()
    pan: str = ""
    declared_turnover: Decimal | None = None
    invoice_id: str = ""
    invoice_amount: Decimal | None = None
    buyer_gstin: str = ""
    device_id: str = ""
    device_age: datetime.timedelta | None = None
    # The user signed in from another device before this one (a first device is no change).
    other_devices_before: bool = False
    bank_account_id: str = ""
    bank_account_age: datetime.timedelta | None = None
    # The business had another bank account before this one (a first account is no change).
    other_accounts_before: bool = False
    # Velocity: attempts in the rule's window, this one included.
    recent_intents: int = 0
    ip: str = ""
    phones_from_ip: int = 0


@dataclass(frozen=True)
class Hit:
    rule: str
    decision: str
    subject_type: str
    subject_id: str
    evidence: dict = field(default_factory=dict)
    # A velocity rule's hit is about a window: once cleared, it lets attempts through for
    # that long only, then a new burst is a new alert. Other rules' clearances stand.
    window: datetime.timedelta | None = None


def shared_identity(f: Facts, t: dict) -> Hit | None:
    """The same PAN or the same device behind more than one business: one person, many fronts."""
    evidence = {}
    if f.businesses_sharing_pan:
        evidence["pan_shared_with"] = list(f.businesses_sharing_pan)
    if f.businesses_sharing_device:
        evidence["device_shared_with"] = list(f.businesses_sharing_device)
    if not evidence:
        return None
    return Hit("shared_identity", REVIEW, "business", f.business_id, evidence)


def circular_trading(f: Facts, t: dict) -> Hit | None:
    """The buyer's GSTIN carries the seller's own PAN (characters 3-12): selling to oneself."""
    if not f.buyer_gstin or not f.pan or f.buyer_gstin[2:12].upper() != f.pan.upper():
        return None
    return Hit("circular_trading", REVIEW, "invoice", f.invoice_id, {"buyer_gstin": f.buyer_gstin, "pan": f.pan})


def invoice_above_turnover(f: Facts, t: dict) -> Hit | None:
    """One invoice worth more than a set share of the whole year's declared turnover."""
    if f.invoice_amount is None or not f.declared_turnover:
        return None
    ratio = Decimal(str(t["FRAUD_INVOICE_TURNOVER_RATIO"]))
    if f.invoice_amount <= f.declared_turnover * ratio:
        return None
    evidence = {
        "invoice_amount": str(f.invoice_amount),
        "declared_turnover": str(f.declared_turnover),
        "ratio_allowed": str(ratio),
    }
    return Hit("invoice_above_turnover", REVIEW, "invoice", f.invoice_id, evidence)


def payment_intent_burst(f: Facts, t: dict) -> Hit | None:
    """More payment intents from one user in a few minutes than anyone paying a loan needs."""
    limit, minutes = t["FRAUD_INTENT_BURST_COUNT"], t["FRAUD_INTENT_BURST_MINUTES"]
    if f.recent_intents <= limit:
        return None
    evidence = {"intents": f.recent_intents, "limit": limit, "minutes": minutes}
    return Hit("payment_intent_burst", BLOCK, "user", f.user_id, evidence, datetime.timedelta(minutes=minutes))


def otp_burst(f: Facts, t: dict) -> Hit | None:
    """OTPs asked for many different phones from one address: enumeration or SMS pumping."""
    limit, minutes = t["FRAUD_OTP_PHONES_PER_IP"], t["FRAUD_OTP_BURST_MINUTES"]
    if not f.ip or f.phones_from_ip <= limit:
        return None
    evidence = {"phones": f.phones_from_ip, "limit": limit, "minutes": minutes}
    return Hit("otp_burst", BLOCK, "ip", f.ip, evidence, datetime.timedelta(minutes=minutes))


def new_device_sanction(f: Facts, t: dict) -> Hit | None:
    """A sanction asked for from a device first seen only minutes ago, by a user who signed in
    from another device before: a taken-over account. (A new borrower's first device is new too,
    and is not a change: holding every first loan for review would hold the product.)"""
    minutes = t["FRAUD_NEW_DEVICE_MINUTES"]
    if f.device_age is None or not f.other_devices_before or f.device_age >= datetime.timedelta(minutes=minutes):
        return None
    evidence = {"device_age_minutes": int(f.device_age.total_seconds() // 60), "minimum_minutes": minutes}
    return Hit("new_device_sanction", REVIEW, "device", f.device_id, evidence)


def payout_to_new_account(f: Facts, t: dict) -> Hit | None:
    """A payout to a bank account that replaced an earlier one in the last hours: the classic
    diversion. (A business's first account is not a change.)"""
    hours = t["FRAUD_NEW_ACCOUNT_HOURS"]
    if f.bank_account_age is None or not f.other_accounts_before:
        return None
    if f.bank_account_age >= datetime.timedelta(hours=hours):
        return None
    evidence = {"account_age_hours": round(f.bank_account_age.total_seconds() / 3600, 1), "minimum_hours": hours}
    return Hit("payout_to_new_account", REVIEW, "bank_account", f.bank_account_id, evidence)


# action -> the rules screened for it.
RULES = {
    "loan.sanction": (shared_identity, circular_trading, invoice_above_turnover, new_device_sanction,
                      payout_to_new_account),
    "payment_intent.open": (payment_intent_burst,),
    "otp.send": (otp_burst,),
}  # fmt: skip
RULE_NAMES = sorted({rule.__name__ for rules in RULES.values() for rule in rules})
# What ops read in the queue: a name, and the rule's docstring on the alert's page.
RULE_LABELS = {
    "shared_identity": "Shared PAN or device",
    "circular_trading": "Circular trading",
    "invoice_above_turnover": "Invoice above turnover",
    "payment_intent_burst": "Burst of payment intents",
    "otp_burst": "OTP burst from one address",
    "new_device_sanction": "Sanction from a new device",
    "payout_to_new_account": "Payout to a new account",
}
RULE_DESCRIPTIONS = {rule.__name__: " ".join(rule.__doc__.split()) for rules in RULES.values() for rule in rules}


def evaluate(facts: Facts, thresholds: dict) -> list[Hit]:
    return [hit for rule in RULES.get(facts.action, ()) if (hit := rule(facts, thresholds)) is not None]
