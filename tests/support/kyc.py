"""The onboarding form a borrower sends, with checksum-valid numbers."""

from apps.demo.identifiers import make_aadhaar, make_gstin, make_pan

AADHAAR = make_aadhaar(777)


def onboarding_payload(pan_prefix="ABC", n=1, **overrides) -> dict:
    """A body for POST /api/v1/kyc/onboard. The sandbox decides by the PAN's first three letters
    (e.g. "ZZN": GSTIN not found), so `pan_prefix` picks the outcome; `n` makes another PAN."""
    pan = pan_prefix + make_pan(n)[3:]
    body = {
        "legal_name": "Lotus Foods Private Limited",
        "owner_name": "Lata Iyer",
        "gstin": make_gstin(pan, "33"),
        "pan": pan,
        "aadhaar": AADHAAR,
        "address": "21 Anna Salai, Chennai",
    }
    body.update(overrides)
    return body
