"""Staff second factor (django-otp): who must present a code, and how a code is read."""

import re

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_CODE = re.compile(r"^\d{6}$")
# Handed out at enrolment: enough for a long stretch without the phone, few enough to keep on paper.
RECOVERY_CODES = 10


def normalize_code(code: str | None) -> str:
    """What the user typed, without the spaces and dashes apps and printouts group codes with."""
    return re.sub(r"[\s-]", "", code or "").lower()


def is_totp_code(code: str) -> bool:
    # Six digits go to the authenticator app's device, anything else to the recovery codes
    # (eight base32 letters): trying every device would count a failure against each of them.
    return bool(TOTP_CODE.match(code))


def has_second_factor(user) -> bool:
    """A confirmed TOTP device (recovery codes only come with one). Kept on the user object for
    the rest of its request: the admin asks on every view."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_has_second_factor", None)
    if cached is None:
        cached = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        user._has_second_factor = cached
    return cached


def needs_code(user) -> bool:
    """Whether a login of `user` must present a code now: anyone who has enrolled must."""
    return has_second_factor(user)


def must_enrol(user) -> bool:
    """A staff user with no second factor while STAFF_OTP_REQUIRED is on."""
    return (
        settings.STAFF_OTP_REQUIRED
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and not has_second_factor(user)
    )
