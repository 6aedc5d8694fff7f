"""Masks the personal numbers a log line or an error report might carry.

Aadhaar numbers, Indian mobile numbers and bank account numbers keep only their last four
digits (what ops use to tell two apart); everything else passes unchanged. Used by the log
filter (apps/audit/context.py) and Sentry's before_send (apps/core/sentry.py): one set of
patterns, so a log line and an error report mask the same things.
"""

import re

# Order matters: a mobile number (10 digits from 6-9, maybe after +91, maybe written 5-5) before
# an Aadhaar number (12 digits, maybe written 4 4 4), both before the generic run of 9-18 digits
# that an account number is; either way the number is masked, only the label differs. A digit
# run that touches a letter, a hyphen or a point is something else (a UUID's group, a
# timestamp, an amount's decimals, a reference like GC-2026-000123) and is left alone. The
# price: a 12-digit bank reference (a UTR) in a log line is masked like an account number.
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![\w.\-+])", r"(?![\w.\-])"
_PHONE = re.compile(_EDGE_BEFORE + r"(?:\+?91[ -]?)?[6-9]\d{4}[ -]?\d(\d{4})" + _EDGE_AFTER)
_AADHAAR = re.compile(_EDGE_BEFORE + r"\d{4} ?\d{4} ?(\d{4})" + _EDGE_AFTER)
_ACCOUNT = re.compile(_EDGE_BEFORE + r"\d{5,14}(\d{4})" + _EDGE_AFTER)


def mask(text: str) -> str:
    text = _PHONE.sub(r"XXXXXX\1", text)
    text = _AADHAAR.sub(r"XXXX-XXXX-\1", text)
    return _ACCOUNT.sub(r"XXXXX\1", text)


def mask_all(value):
    """`mask` over every string inside nested dicts, lists and tuples (an error report)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {key: mask_all(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_all(item) for item in value)
    return value
