"""Valid Indian identifiers for the demo book and the tests, built with python-stdnum's own check-digit algorithms."""

import string

from stdnum import luhn, verhoeff

GSTIN_ALPHABET = string.digits + string.ascii_uppercase


def make_pan(n: int, holder_type: str = "C") -> str:
    """A structurally valid PAN: 3 letters, the holder type, a letter, 4 digits, a letter."""
    letters = string.ascii_uppercase
    prefix = letters[n // 676 % 26] + letters[n // 26 % 26] + letters[n % 26]
    return f"{prefix}{holder_type}K{n % 10000:04d}{letters[n * 7 % 26]}"


def make_gstin(pan: str, state_code: str = "27", entity: str = "1") -> str:
    body = f"{state_code}{pan}{entity}Z"
    return body + luhn.calc_check_digit(body, alphabet=GSTIN_ALPHABET)


def make_aadhaar(n: int) -> str:
    body = f"{2 + n % 8}{n:010d}"[-11:]
    if body[0] in "01":
        body = "2" + body[1:]
    number = body + verhoeff.calc_check_digit(body)
    if number == number[::-1]:
        return make_aadhaar(n + 1)
    return number
