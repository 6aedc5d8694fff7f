import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac

from apps.core.roles import Role


class AppUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser --noinput` with DJANGO_SUPERUSER_* makes an ADMIN.
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Borrowers log in by phone (OTP); staff by username and password and have no phone.

    `token_version` is copied into every JWT and into the admin session's auth hash; bumping
    it (freeze, logout-everywhere) kills every access token and every session at once, not
    only the refresh tokens.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.BORROWER, db_index=True)
    phone = models.CharField(max_length=16, null=True, blank=True, unique=True)
    is_frozen = models.BooleanField(default=False)
    frozen_reason = models.TextField(blank=True)
    token_version = models.PositiveIntegerField(default=0)

    objects = AppUserManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(role=Role.BORROWER, phone__isnull=False) | (~Q(role=Role.BORROWER) & Q(phone__isnull=True)),
                name="ck_user_phone_only_for_borrowers",
            ),
            models.CheckConstraint(
                condition=Q(phone__isnull=True) | Q(phone__startswith="+91"), name="ck_user_phone_indian"
            ),
        ]

    def _get_session_auth_hash(self, secret=None):
        # Django's hash covers the password only, so a session outlives a freeze; with the
        # token version in it, every session opened before the last bump stops validating.
        # (Overrides the private helper both get_session_auth_hash and its SECRET_KEY
        # fallbacks go through.)
        key_salt = "apps.accounts.models.User.get_session_auth_hash"
        value = f"{self.password}:{self.token_version}"
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def is_borrower(self) -> bool:
        return self.role == Role.BORROWER

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN

    def __str__(self):
        return self.phone or self.username


class Device(models.Model):
    """A borrower's app install. New or untrusted devices are a risk factor (apps.risk)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="devices")
    fingerprint = models.CharField(max_length=128)
    platform = models.CharField(max_length=32, blank=True)
    app_version = models.CharField(max_length=32, blank=True)
    is_trusted = models.BooleanField(default=False)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_active_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "fingerprint"], name="uq_device_user_fingerprint")]
        # The fraud screen's "this device behind another business" (apps/risk/screens.py).
        indexes = [models.Index(fields=["fingerprint"], name="ix_device_fingerprint")]

    def __str__(self):
        return f"{self.platform or 'device'} {self.fingerprint[:8]}"


class OtpChallenge(models.Model):
    """One OTP sent to one phone. Only a keyed hash of the code is kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # the API's request_id
    phone = models.CharField(max_length=16, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    locked = models.BooleanField(default=False)
    consumed_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone", "-created_at"], name="ix_otp_phone_latest"),
            # The fraud screen's "how many phones from this address lately" (apps/risk/screens.py).
            models.Index(fields=["ip", "-created_at"], name="ix_otp_ip_latest"),
        ]

    def __str__(self):
        return f"OTP {self.id} ({'locked' if self.locked else 'open'})"


class TokenFamily(models.Model):
    """Every refresh token descended from one login, named by the `fam` claim they all carry.

    Rotation keeps the family; presenting a refresh token that was already rotated (after the
    short grace that absorbs a client's own parallel retries) revokes the whole family, so a
    stolen refresh token and the chain its victim kept using both die (OAuth 2.1's
    refresh-token reuse detection). The row is written at the family's first rotation and is
    locked, after the token's own OutstandingToken row, by every rotation of the family.
    """

    id = models.CharField(primary_key=True, max_length=255)  # the jti of the login's first refresh token
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name_plural = "token families"

    def __str__(self):
        return f"token family {self.id[:8]}{' (revoked)' if self.revoked_at else ''}"
