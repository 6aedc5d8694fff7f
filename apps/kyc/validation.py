"""Indian identifiers checked with python-stdnum; each failure names its field."""

import hashlib
import hmac

from django.conf import settings
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.in_ import aadhaar as aadhaar_number
from stdnum.in_ import gstin as gstin_number
from stdnum.in_ import pan as pan_number

from apps.core.errors import InvalidInput

# GST state codes (first two digits of a GSTIN): 01-38 and 97 (other territory), 99 (centre).
VALID_STATE_CODES = {f"{n:02d}" for n in range(1, 39)} | {"97", "99"}


def clean_gstin(value: str) -> str:
    try:
        gstin = gstin_number.validate(value or "")
    except StdnumError as exc:
        raise InvalidInput(f"Not a valid GSTIN: {exc}", field="gstin") from None
    if gstin[:2] not in VALID_STATE_CODES:
        raise InvalidInput(f"Unknown state code {gstin[:2]} in the GSTIN.", field="gstin")
    return gstin


def clean_pan(value: str) -> str:
    try:
        return pan_number.validate(value or "")
    except StdnumError as exc:
        raise InvalidInput(f"Not a valid PAN: {exc}", field="pan") from None


def clean_aadhaar(value: str) -> str:
    # stdnum checks the Verhoeff digit, the leading digit and refuses palindromes.
    try:
        return aadhaar_number.validate(value or "")
    except StdnumError as exc:
        raise InvalidInput(f"Not a valid Aadhaar number: {exc}", field="aadhaar") from None


def check_pan_in_gstin(gstin: str, pan: str) -> None:
    if gstin_number.to_pan(gstin) != pan:
        raise InvalidInput("The PAN must be the one inside the GSTIN (characters 3 to 12).", field="pan")


def aadhaar_hash(aadhaar: str) -> str:
    """Keyed, so the hash cannot be reversed by hashing all 10^12 numbers without the key."""
    return hmac.new(settings.HASH_KEY.encode(), aadhaar.encode(), hashlib.sha256).hexdigest()


# Magic numbers of what we accept; the client's content type and file name are not trusted.
SIGNATURES = [
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
]


def sniff(head: bytes) -> tuple[str, str]:
    for magic, ext, content_type in SIGNATURES:
        if head.startswith(magic):
            return ext, content_type
    raise InvalidInput("Only PDF, PNG or JPEG files are accepted.", field="file")
