"""Indian mobile numbers, normalised to E.164 with `phonenumbers`."""

import phonenumbers
from phonenumbers import PhoneNumberType


def normalize_indian_mobile(raw: str) -> str | None:
    """Return the E.164 form (+91XXXXXXXXXX) of an Indian mobile number, or None if it is not one."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw.strip(), "IN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 91 or not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    return f"{e164[:3]}******{e164[-4:]}" if e164 and len(e164) > 7 else "***"
