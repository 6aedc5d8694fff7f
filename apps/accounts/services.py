"""Login, staff users, freezing and devices. Every outcome is audited, failures included."""

import datetime
import hashlib
import hmac
import math
import secrets

from axes.utils import reset as axes_reset
from constance import config
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from apps.accounts import otp as second_factor
from apps.accounts import ratelimit
from apps.accounts.authentication import TOKEN_VERSION_CLAIM
from apps.accounts.lockout import locked_message, seconds_until_unlocked
from apps.accounts.models import Device, OtpChallenge, TokenFamily, User
from apps.accounts.phone import mask_phone, normalize_indian_mobile
from apps.accounts.providers import get_sms_provider
from apps.accounts.tokens import FAMILY_CLAIM, RotatingRefreshToken, family_of
from apps.audit.services import record
from apps.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    RateLimited,
    Unauthenticated,
    found,
    required_reason,
)
from apps.core.permissions import is_staff_role
from apps.core.roles import STAFF_ROLES, Role
from apps.core.screening import screen

HOUR = 3600


def _locked() -> RateLimited:
    return RateLimited("Too many wrong codes; ask for a new one.", retry_after=config.OTP_RESEND_COOLDOWN_SECONDS)


def _code_hash(challenge_id, code: str) -> str:
    message = f"{challenge_id}:{code}".encode()
    return hmac.new(settings.HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


def _new_code() -> str:
    if settings.SANDBOX and settings.OTP_TEST_CODE:
        return settings.OTP_TEST_CODE
    return f"{secrets.randbelow(10**6):06d}"


def otp_send(*, phone: str, ip: str | None) -> OtpChallenge:
    normalized = normalize_indian_mobile(phone)
    if normalized is None:
        raise InvalidInput("An Indian mobile number, e.g. +919812345678.", field="phone")
    if ip:
        ratelimit.hit(f"otp-ip:{ip}", limit=config.OTP_IP_LIMIT_PER_HOUR, window_seconds=HOUR)
    ratelimit.hit(f"otp-phone:{normalized}", limit=config.OTP_PHONE_LIMIT_PER_HOUR, window_seconds=HOUR)
    ratelimit.cooldown(f"otp-phone:{normalized}", seconds=config.OTP_RESEND_COOLDOWN_SECONDS)
    screen("otp.send", phone=normalized, ip=ip)  # fraud rules (risk registers them): 403 when blocked
    code = _new_code()
    challenge = OtpChallenge(
        phone=normalized, expires_at=timezone.now() + timezone.timedelta(seconds=config.OTP_TTL_SECONDS), ip=ip
    )
    challenge.code_hash = _code_hash(challenge.id, code)
    minutes = max(1, round(config.OTP_TTL_SECONDS / 60))
    message = f"{code} is your GST Credit login code. It expires in {minutes} minute{'s' if minutes > 1 else ''}."
    with transaction.atomic():
        challenge.save()
        record(
            "auth.otp_sent",
            object_type="accounts.otpchallenge",
            object_id=str(challenge.id),
            after={"phone": mask_phone(normalized)},
        )
        # The SMS leaves once the challenge it names is committed, with no transaction open.
        transaction.on_commit(lambda: get_sms_provider().send(phone=normalized, message=message))
    return challenge


def _fail(challenge: OtpChallenge, reason: str):
    record(
        "auth.login_failed",
        object_type="accounts.otpchallenge",
        object_id=str(challenge.id),
        after={"phone": mask_phone(challenge.phone)},
        reason=reason,
    )


def _check_code(challenge: OtpChallenge, otp: str) -> Exception | None:
    if challenge.locked:
        return _locked()
    if challenge.consumed_at or challenge.expires_at <= timezone.now():
        _fail(challenge, "expired or used")
        return InvalidInput("This code has expired; ask for a new one.", field="otp")
    if not hmac.compare_digest(challenge.code_hash, _code_hash(challenge.id, otp)):
        challenge.attempts += 1
        challenge.locked = challenge.attempts >= config.OTP_MAX_ATTEMPTS
        challenge.save(update_fields=["attempts", "locked"])
        _fail(challenge, f"wrong code (attempt {challenge.attempts})")
        return _locked() if challenge.locked else InvalidInput("Wrong code.", field="otp")
    return None


def _login(challenge: OtpChallenge, phone: str) -> User:
    challenge.consumed_at = timezone.now()
    challenge.save(update_fields=["consumed_at"])
    user = User.objects.filter(phone=phone).first()
    if user is None:
        user = User(username=phone, phone=phone, role=Role.BORROWER)
        user.set_unusable_password()
        user.save()
        record("user.created", obj=user, after={"role": user.role, "phone": mask_phone(phone)}, actor=user)
    if user.is_frozen:
        _fail(challenge, "user frozen")
        return user
    record("auth.login", obj=user, after={"method": "otp"}, actor=user)
    return user


def _trust_known_device(user: User, fingerprint: str) -> Device | None:
    """A correct OTP proves the phone's owner holds this device; once the device has been known
    for DEVICE_TRUST_AFTER_DAYS, that proof is enough to trust it. A device first seen today is
    not: a stolen SIM in a new phone must not earn trust with one login."""
    fingerprint = (fingerprint or "").strip()
    if not fingerprint:
        return None
    known_since = timezone.now() - datetime.timedelta(days=config.DEVICE_TRUST_AFTER_DAYS)
    device = (
        Device.objects.select_for_update()
        .filter(user=user, fingerprint=fingerprint, is_trusted=False, first_seen_at__lte=known_since)
        .first()
    )
    if device is None:
        return None
    return _mark_trusted(
        device, actor=user, reason=f"OTP login on a device known since {device.first_seen_at:%Y-%m-%d}"
    )


def _mark_trusted(device: Device, *, actor, reason: str) -> Device:
    device.is_trusted = True
    device.save(update_fields=["is_trusted"])
    record(
        "device.trusted",
        obj=device,
        before={"is_trusted": False},
        after={"is_trusted": True},
        actor=actor,
        reason=reason,
    )
    return device


def otp_verify(*, request_id, phone: str, otp: str, ip: str | None, device_fingerprint: str = "") -> User:
    """The user behind a correct code (created as a BORROWER on first login). With the
    fingerprint of the device it is made on, a login may make a long-known device trusted."""
    normalized = normalize_indian_mobile(phone)
    if normalized is None:
        raise InvalidInput("An Indian mobile number, e.g. +919812345678.", field="phone")
    if not (isinstance(otp, str) and len(otp) == 6 and otp.isdigit()):
        raise InvalidInput("Six digits.", field="otp")
    # Decide inside the lock, raise after the commit: a wrong try must be counted even though
    # the request fails.
    with transaction.atomic():
        challenge = OtpChallenge.objects.select_for_update().filter(pk=request_id, phone=normalized).first()
        if challenge is None:
            raise InvalidInput("Unknown request_id for this phone.", field="request_id")
        error, user = _check_code(challenge, otp), None
        if error is None:
            user = _login(challenge, normalized)
            if user.is_frozen:
                error = Forbidden("This account is frozen.", code="user_frozen")
            else:
                _trust_known_device(user, device_fingerprint)
    if error is not None:
        raise error
    return user


def _staff_login_failed(username: str, reason: str) -> None:
    record("auth.login_failed", object_type="accounts.user", object_id=username[:64], reason=reason)


def _frozen_with_this_password(username: str, password: str) -> bool:
    """The backend refuses a frozen user like a wrong password; the one who knows the password
    is told why (403), as the OTP login does."""
    user = User.objects.filter(username=username, is_frozen=True).first()
    return user is not None and user.check_password(password)


def _login_locked(request, username: str) -> RateLimited:
    seconds = seconds_until_unlocked(username=username, ip=getattr(request, "axes_ip_address", None))
    return RateLimited(locked_message(seconds), retry_after=seconds, code="login_locked")


def _otp_throttled(extra: dict) -> RateLimited:
    seconds = 1
    if extra.get("locked_until"):
        seconds = math.ceil((extra["locked_until"] - timezone.now()).total_seconds())
    return RateLimited("Too many wrong codes; wait before trying again.", retry_after=seconds, code="otp_throttled")


def _check_second_factor(user: User, code: str):
    """(device, kind) for a good code, else the error; inside the device's row lock."""
    kind = "totp" if second_factor.is_totp_code(code) else "recovery"
    model = TOTPDevice if kind == "totp" else StaticDevice
    device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None:
        return Unauthenticated("Wrong authentication code.", code="otp_invalid")
    allowed, extra = device.verify_is_allowed()
    if not allowed:
        if (extra or {}).get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            return _otp_throttled(extra)
        return Unauthenticated("Wrong authentication code.", code="otp_invalid")
    if not device.verify_token(code):  # a TOTP code once only; a recovery code is deleted when used
        return Unauthenticated("Wrong authentication code.", code="otp_invalid")
    if kind == "recovery":
        record(
            "otp.recovery_code_used",
            obj=user,
            after={"recovery_codes_left": device.token_set.count()},
            actor=user,
        )
    return device, kind


def second_factor_verify(*, user: User, code: str | None):
    """The device that accepts `code` (a TOTP code, or a recovery code, which is then spent) and
    its kind ("totp" or "recovery"). 401 otp_required without a code, otp_invalid for a wrong
    one, 429 otp_throttled while django-otp's back-off after wrong codes runs."""
    code = second_factor.normalize_code(code)
    if not code:
        raise Unauthenticated("This account has a second factor: send its code in `otp`.", code="otp_required")
    # Decide in the lock, raise after the commit: django-otp's failure count must stick.
    with transaction.atomic():
        outcome = _check_second_factor(user, code)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def second_factor_failed(*, request, username: str, error: DomainError) -> DomainError:
    """A wrong or missing code after a right password: audited; a wrong one also counts toward
    the login lockout, like a wrong password (a missing one is the first step of a login,
    guesses nothing). Returns the error to raise: the lockout's when this failure tripped it."""
    _staff_login_failed(username, f"second factor: {error.code}")
    if error.code == "otp_invalid":
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
        if getattr(request, "axes_locked_out", False):
            return _login_locked(request, username)
    return error


def staff_login(*, request, username: str, password: str, otp: str = "") -> User:
    """The staff user behind a username, password and (when the user has one) second-factor
    code, for POST /auth/token; audited either way.

    `request` is the HttpRequest: django-axes (the first authentication backend) counts the
    failures of its username and address on it and refuses a locked-out login before any
    password is checked.
    """
    user = authenticate(request, username=username, password=password)
    if user is None and getattr(request, "axes_locked_out", False):
        _staff_login_failed(username, "locked out")
        raise _login_locked(request, username)
    if user is None and _frozen_with_this_password(username, password):
        _staff_login_failed(username, "user frozen")
        raise Forbidden("This account is frozen.", code="user_frozen")
    if user is None or not is_staff_role(user):
        _staff_login_failed(username, "bad credentials")
        raise InvalidInput("Wrong username or password.", field="password")
    method = None
    if second_factor.needs_code(user):
        try:
            _device, method = second_factor_verify(user=user, code=otp)
        except DomainError as exc:
            raise second_factor_failed(request=request, username=username, error=exc) from None
    elif second_factor.must_enrol(user):
        _staff_login_failed(username, "second factor not set up")
        raise Forbidden(
            "A second factor is required: set it up in the admin (/admin/second-factor/) first.",
            code="otp_enrolment_required",
        )
    record("auth.login", obj=user, after={"method": "password", "second_factor": method}, actor=user)
    # What django.contrib.auth.login() sends for a session: axes clears the username's failures
    # and Django records last_login.
    user_logged_in.send(sender=type(user), request=request, user=user)
    return user


@transaction.atomic
def user_unlock(*, user: User, actor) -> int:
    """ADMIN lifts a login lockout of `user` before its cool-off: the failures counted against
    the username go (and with them their share of their addresses' counts). Audited."""
    _require_admin(actor, "Only an ADMIN may unlock a login.")
    cleared = axes_reset(username=user.get_username())
    record("auth.unlocked", obj=user, after={"cleared_attempts": cleared}, actor=actor)
    return cleared


@transaction.atomic
def user_create_staff(*, username: str, password: str, role: str, actor=None) -> User:
    if role not in STAFF_ROLES:
        raise InvalidInput("OFFICER, COLLECTOR or ADMIN.", field="role")
    if not username or len(username) > 150:
        raise InvalidInput("A username of at most 150 characters.", field="username")
    user = User(username=username, role=role, is_staff=True, is_superuser=False)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict("This username is taken.", field="username") from None
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    record("user.created", obj=user, after={"username": username, "role": role}, actor=actor)
    return user


def _dead_token(message: str) -> Unauthenticated:
    return Unauthenticated(message, code="token_not_valid")


def _rotate(token: RotatingRefreshToken) -> dict | Exception:
    jti = token[jwt_settings.JTI_CLAIM]
    # The lock that makes rotation atomic: parallel refreshes of one token queue here, and each
    # one after the first finds it blacklisted.
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=jti).first()
    if outstanding is None:
        return _dead_token("This token is unknown.")
    user = User.objects.filter(pk=token.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active or user.is_frozen or token.get(TOKEN_VERSION_CLAIM) != user.token_version:
        return _dead_token("This token has been revoked.")
    family, _ = TokenFamily.objects.select_for_update().get_or_create(pk=family_of(token), defaults={"user": user})
    if family.revoked_at is not None:
        return _dead_token("This token has been revoked.")
    rotated = BlacklistedToken.objects.filter(token=outstanding).first()
    if rotated is not None:
        grace = datetime.timedelta(seconds=settings.REFRESH_TOKEN_REUSE_GRACE_SECONDS)
        if timezone.now() - rotated.blacklisted_at <= grace:
            # The same client refreshing twice at once (parallel requests, a retry after a lost
            # answer): one of them won, so nothing leaked and the family lives on.
            return _dead_token("This token was just rotated; use the new one.")
        family.revoked_at, family.revoked_reason = timezone.now(), "reuse"
        family.save(update_fields=["revoked_at", "revoked_reason"])
        record(
            "auth.refresh_reused",
            obj=user,
            after={"family": family.pk, "jti": jti, "rotated_at": rotated.blacklisted_at},
            reason="a rotated refresh token was presented again: every token of its login is revoked",
        )
        return _dead_token("This token has been revoked.")
    BlacklistedToken.objects.create(token=outstanding)
    token.set_jti()
    token.set_exp()
    token.set_iat()
    token[FAMILY_CLAIM] = family.pk
    OutstandingToken.objects.create(
        user=user,
        jti=token[jwt_settings.JTI_CLAIM],
        token=str(token),
        created_at=token.current_time,
        expires_at=datetime_from_epoch(token["exp"]),
    )
    return {"access": str(token.access_token), "refresh": str(token)}


def refresh_token_rotate(*, refresh: str) -> dict:
    """A new access/refresh pair for a live refresh token, which dies (POST /auth/token/refresh).

    Exactly one of any number of parallel refreshes of one token wins. A token that was rotated
    more than REFRESH_TOKEN_REUSE_GRACE_SECONDS ago is a replay: its whole family is revoked,
    audited as auth.refresh_reused.
    """
    try:
        token = RotatingRefreshToken(refresh)
    except TokenError as exc:
        raise _dead_token(str(exc)) from None
    # Decide under the lock, raise after the commit: a detected reuse must stay revoked even
    # though the request fails.
    with transaction.atomic():
        outcome = _rotate(token)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


@transaction.atomic
def user_logout(*, user: User, refresh: str) -> None:
    """End the login `refresh` belongs to: the token is blacklisted and its whole family revoked,
    so no token of that login refreshes again (and a later replay is not mistaken for theft)."""
    try:
        token = RotatingRefreshToken(refresh)
    except TokenError:
        raise InvalidInput("Not a valid refresh token.", field="refresh") from None
    if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
        raise InvalidInput("Not your refresh token.", field="refresh")
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=token[jwt_settings.JTI_CLAIM]).first()
    if outstanding is not None:
        BlacklistedToken.objects.get_or_create(token=outstanding)
    family, _ = TokenFamily.objects.select_for_update().get_or_create(pk=family_of(token), defaults={"user": user})
    if family.revoked_at is None:
        family.revoked_at, family.revoked_reason = timezone.now(), "logout"
        family.save(update_fields=["revoked_at", "revoked_reason"])
    record("auth.logout", obj=user, after={"family": family.pk}, actor=user)


def _require_admin(actor, message: str) -> None:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise Forbidden(message)


@transaction.atomic
def second_factor_enrolment_start(*, user: User, actor) -> TOTPDevice:
    """The TOTP device `user` is setting up: unconfirmed until a first code proves the app holds
    its key. The same one until then, so reloading the page shows the same secret."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time per user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict("A second factor is already set up; an ADMIN can reset it.", code="otp_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
        record("otp.enrolment_started", obj=user, after={"device": device.persistent_id}, actor=actor)
    return device


def _confirm_enrolment(user: User, code: str) -> list[str] | Exception:
    User.objects.select_for_update().filter(pk=user.pk).first()
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        return Conflict("Start the set-up again: there is nothing to confirm.", code="otp_not_started")
    allowed, extra = device.verify_is_allowed()
    if not allowed:
        return _otp_throttled(extra or {})
    if not second_factor.is_totp_code(code) or not device.verify_token(code):
        return InvalidInput("Wrong code: type the six digits the app shows now.", field="code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = []
    while len(codes) < second_factor.RECOVERY_CODES:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=token) for token in codes])
    user._has_second_factor = True
    return codes


def second_factor_enrolment_confirm(*, user: User, code: str, actor) -> list[str]:
    """Confirms the device being set up with its first code and returns the recovery codes:
    single-use stand-ins for a code, shown this once (django-otp keeps them to compare)."""
    code = second_factor.normalize_code(code)
    with transaction.atomic():
        outcome = _confirm_enrolment(user, code)
        if not isinstance(outcome, Exception):
            record(
                "otp.enrolled",
                obj=user,
                after={"device": "totp", "recovery_codes": len(outcome)},
                actor=actor,
            )
    if isinstance(outcome, Exception):  # raised after the commit: the device's failure count sticks
        raise outcome
    return outcome


@transaction.atomic
def second_factor_reset(*, user: User, actor, reason: str) -> int:
    """ADMIN removes another user's second factor (a lost phone): the authenticator app and the
    recovery codes. The user logs in with the password again and sets up a new one, which the
    admin asks for first when STAFF_OTP_REQUIRED is on. Audited with its reason."""
    _require_admin(actor, "Only an ADMIN may reset a second factor.")
    if user.pk == getattr(actor, "pk", None):
        raise Conflict("Another ADMIN must reset your own second factor.")
    reason = required_reason(reason)
    User.objects.select_for_update().filter(pk=user.pk).first()
    before = {
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "recovery_codes": StaticToken.objects.filter(device__user=user).count(),
    }
    removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
    user._has_second_factor = False
    record("otp.reset", obj=user, before=before, after={"totp": False, "recovery_codes": 0}, actor=actor, reason=reason)
    return removed


def _revoke_refresh_tokens(user: User) -> None:
    for token in OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now()):
        BlacklistedToken.objects.get_or_create(token=token)


@transaction.atomic
def user_freeze(*, user_id, actor, reason: str = "") -> User:
    user = found(User.objects.select_for_update().filter(pk=user_id).first(), "User not found.")
    if user.pk == getattr(actor, "pk", None):
        raise Conflict("You cannot freeze yourself.")
    before = {"is_frozen": user.is_frozen}
    user.is_frozen, user.frozen_reason = True, reason
    user.token_version += 1  # every access token carrying the old version dies now
    user.save(update_fields=["is_frozen", "frozen_reason", "token_version"])
    _revoke_refresh_tokens(user)
    record("user.frozen", obj=user, before=before, after={"is_frozen": True}, actor=actor, reason=reason)
    return user


@transaction.atomic
def user_unfreeze(*, user_id, actor, reason: str = "") -> User:
    user = found(User.objects.select_for_update().filter(pk=user_id).first(), "User not found.")
    before = {"is_frozen": user.is_frozen}
    user.is_frozen, user.frozen_reason = False, ""
    user.save(update_fields=["is_frozen", "frozen_reason"])
    record("user.unfrozen", obj=user, before=before, after={"is_frozen": False}, actor=actor, reason=reason)
    return user


@transaction.atomic
def device_register(*, user: User, fingerprint: str, platform: str = "", app_version: str = "") -> tuple[Device, bool]:
    fingerprint = (fingerprint or "").strip()
    if not fingerprint or len(fingerprint) > 128:
        raise InvalidInput("1 to 128 characters.", field="fingerprint")
    now = timezone.now()
    device, created = Device.objects.select_for_update().get_or_create(
        user=user,
        fingerprint=fingerprint,
        defaults={"platform": platform[:32], "app_version": app_version[:32], "last_active_at": now},
    )
    if not created:
        device.platform, device.app_version, device.last_active_at = (
            platform[:32] or device.platform,
            app_version[:32] or device.app_version,
            now,
        )
        device.save(update_fields=["platform", "app_version", "last_active_at"])
    else:
        record("device.registered", obj=device, after={"platform": device.platform}, actor=user)
    return device, created


@transaction.atomic
def device_trust(*, device_id, actor, reason: str) -> Device:
    """ADMIN's "mark trusted" (e.g. after a call-back to the borrower), audited with its reason."""
    reason = required_reason(reason)
    device = found(Device.objects.select_for_update().filter(pk=device_id).first(), "Device not found.")
    if device.is_trusted:
        raise Conflict("This device is already trusted.", code="device_trusted")
    return _mark_trusted(device, actor=actor, reason=reason)
