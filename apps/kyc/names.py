"""How alike two names of one business are, 0 to 100: the name a bank holds against the legal
name. Case, punctuation, honorifics and the company-form words (PRIVATE LIMITED, PVT LTD, LLP,
M/S …) do not count; word order does not either (RapidFuzz's token-sort ratio)."""

import re

from rapidfuzz import fuzz

_NOISE = re.compile(
    r"\b(m/s|messrs|private|pvt|limited|ltd|llp|co|company|the|and|mr|mrs|ms|shri|smt|proprietor|prop)\b"
)


def normalise(name: str) -> str:
    text = (name or "").lower().replace("&", " and ").replace("m/s", " ")
    text = _NOISE.sub(" ", re.sub(r"[^a-z0-9/ ]+", " ", text))
    return " ".join(text.split())


def name_match_score(a: str, b: str) -> int:
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return 0
    return round(fuzz.token_sort_ratio(left, right))
