"""Businesses and what we know about them: checks, documents, collaterals.

Aadhaar is never stored whole: a keyed hash (to find duplicates) and the last four digits.
Documents are stored by object key; the database never holds a URL.
"""

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.models import BaseModel
from apps.core.money import MoneyField


class Business(FSMModelMixin, BaseModel):
    class KycStatus(models.TextChoices):
        PENDING = "PENDING"
        VERIFIED = "VERIFIED"
        MANUAL_REVIEW = "MANUAL_REVIEW"
        REJECTED = "REJECTED"

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="business")
    legal_name = models.CharField(max_length=200)
    trade_name = models.CharField(max_length=200, blank=True)
    owner_name = models.CharField(max_length=200)
    address = models.TextField()
    state_code = models.CharField(max_length=2)
    gstin = models.CharField("GSTIN", max_length=15, unique=True)
    pan = models.CharField("PAN", max_length=10, db_index=True)
    aadhaar_hash = models.CharField(max_length=64, unique=True)
    aadhaar_last4 = models.CharField("Aadhaar (last 4)", max_length=4)
    gst_registration_date = models.DateField(null=True, blank=True)
    gst_status = models.CharField("GST status", max_length=16, blank=True)
    declared_turnover = MoneyField(null=True, blank=True)
    kyc_status = FSMField(
        "KYC status", default=KycStatus.PENDING, choices=KycStatus.choices, protected=True, db_index=True
    )
    kyc_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name_plural = "businesses"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(gstin__regex=r"^[0-9]{2}[A-Z0-9]{13}$"), name="ck_business_gstin_shape"),
            models.CheckConstraint(condition=Q(aadhaar_last4__regex=r"^[0-9]{4}$"), name="ck_business_aadhaar_last4"),
        ]
        indexes = [
            # Finding a borrower by the start of their name: UPPER(legal_name) LIKE 'SHAKTI%'.
            models.Index(OpClass(Upper("legal_name"), name="varchar_pattern_ops"), name="ix_business_name_upper"),
            # The KYC review worklist, oldest first.
            models.Index(fields=["created_at"], condition=Q(kyc_status="MANUAL_REVIEW"), name="ix_business_kyc_review"),
        ]

    def __str__(self):
        return f"{self.legal_name} ({self.gstin})"

    @property
    def aadhaar_masked(self) -> str:
        return f"XXXX XXXX {self.aadhaar_last4}"

    @transition(field=kyc_status, source=KycStatus.PENDING, target=KycStatus.VERIFIED)
    def verify(self, reason: str = ""):
        self.kyc_reason = reason

    @transition(field=kyc_status, source=KycStatus.PENDING, target=KycStatus.MANUAL_REVIEW)
    def send_to_review(self, reason: str):
        self.kyc_reason = reason

    @transition(field=kyc_status, source=KycStatus.PENDING, target=KycStatus.REJECTED)
    def reject_automatically(self, reason: str):
        self.kyc_reason = reason

    @transition(field=kyc_status, source=KycStatus.MANUAL_REVIEW, target=KycStatus.VERIFIED)
    def approve(self, reason: str):
        self.kyc_reason = reason

    @transition(field=kyc_status, source=KycStatus.MANUAL_REVIEW, target=KycStatus.REJECTED)
    def reject(self, reason: str):
        self.kyc_reason = reason


class KycCheck(BaseModel):
    class Type(models.TextChoices):
        GSTIN = "GSTIN", "GSTIN"
        PAN = "PAN", "PAN"
        AADHAAR = "AADHAAR", "Aadhaar"

    class Outcome(models.TextChoices):
        VERIFIED = "VERIFIED"
        NOT_FOUND = "NOT_FOUND"
        NAME_MISMATCH = "NAME_MISMATCH"
        CANCELLED = "CANCELLED"
        UNAVAILABLE = "UNAVAILABLE"

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="checks")
    check_type = models.CharField(max_length=8, choices=Type.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    reference = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    request_masked = models.JSONField(default=dict)

    class Meta:
        ordering = ["business", "created_at"]

    def __str__(self):
        return f"{self.check_type}: {self.outcome}"


class KycDocument(BaseModel):
    class DocType(models.TextChoices):
        PAN_CARD = "PAN_CARD"
        GST_CERTIFICATE = "GST_CERTIFICATE"
        BANK_STATEMENT = "BANK_STATEMENT"

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(max_length=20, choices=DocType.choices)
    object_key = models.CharField(max_length=255, unique=True, help_text="Storage key, never a URL")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.doc_type} {self.sha256[:12]}"


class Collateral(FSMModelMixin, BaseModel):
    class Type(models.TextChoices):
        PROPERTY = "PROPERTY"
        FIXED_DEPOSIT = "FIXED_DEPOSIT"
        GOLD = "GOLD"
        MACHINERY = "MACHINERY"
        RECEIVABLES = "RECEIVABLES"

    class Lien(models.TextChoices):
        FREE = "FREE"
        PLEDGED = "PLEDGED"
        RELEASED = "RELEASED"

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="collaterals")
    type = models.CharField(max_length=16, choices=Type.choices)
    description = models.CharField(max_length=255)
    value = MoneyField()
    valuation_date = models.DateField()
    lien_status = FSMField(default=Lien.FREE, choices=Lien.choices, protected=True, db_index=True)
    lien_reference = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["business", "-value"]
        constraints = [models.CheckConstraint(condition=Q(value__gt=0), name="ck_collateral_value_positive")]

    def __str__(self):
        return f"{self.type} {self.value} ({self.lien_status})"

    @transition(field=lien_status, source=Lien.FREE, target=Lien.PLEDGED)
    def pledge(self, reference: str):
        self.lien_reference = reference

    @transition(field=lien_status, source=Lien.PLEDGED, target=Lien.RELEASED)
    def release(self):
        pass


class BankAccount(FSMModelMixin, BaseModel):
    """A business's bank account, where payouts go and mandates debit. The number is kept only
    as a keyed hash (for "already held elsewhere") and its last four digits. A penny drop through
    the payout rail verifies it and returns the name the bank holds, scored against the
    business's legal name: below BANK_NAME_MATCH_THRESHOLD it waits for ops (NAME_MISMATCH)."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        VERIFIED = "VERIFIED", "Verified"
        NAME_MISMATCH = "NAME_MISMATCH", "Name mismatch"
        FAILED = "FAILED", "Failed"

    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="bank_accounts")
    ifsc = models.CharField("IFSC", max_length=11)
    bank_name = models.CharField(max_length=100, blank=True)
    account_hash = models.CharField(max_length=64)
    account_last4 = models.CharField(max_length=4)
    holder_name = models.CharField(max_length=150)
    name_at_bank = models.CharField(max_length=150, blank=True)
    name_match_score = models.PositiveSmallIntegerField(null=True, blank=True)
    status = FSMField(default=Status.PENDING, choices=Status.choices, protected=True)
    status_reason = models.CharField(max_length=255, blank=True)
    verification_reference = models.CharField(max_length=64, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "-created_at"]
        constraints = [
            # One account, one business (whatever its state): the same number elsewhere is 409.
            models.UniqueConstraint(fields=["account_hash"], name="uq_bank_account_number"),
            models.UniqueConstraint(fields=["business"], condition=Q(is_primary=True), name="uq_bank_account_primary"),
            models.CheckConstraint(
                condition=Q(name_match_score__isnull=True) | Q(name_match_score__lte=100), name="ck_bank_name_score"
            ),
        ]
        verbose_name = "bank account"

    def __str__(self):
        return f"{self.bank_name or self.ifsc} ••••{self.account_last4}"

    @transition(field=status, source=Status.PENDING, target=Status.VERIFIED)
    def verify(self):
        """The penny drop found the account and the name matched."""

    @transition(field=status, source=Status.PENDING, target=Status.NAME_MISMATCH)
    def flag_name_mismatch(self):
        """The account exists but the bank holds another name: ops decide."""

    @transition(field=status, source=Status.PENDING, target=Status.FAILED)
    def fail(self, *, reason: str):
        self.status_reason = reason[:255]

    @transition(field=status, source=Status.NAME_MISMATCH, target=Status.VERIFIED)
    def approve(self, *, reason: str):
        """Ops accept the bank's name (a trade name, the proprietor's own name)."""
        self.status_reason = reason[:255]


class KycReviewItem(Business):
    """The KYC review worklist: businesses in MANUAL_REVIEW (apps/kyc/admin.py)."""

    class Meta:
        proxy = True
        verbose_name = "KYC to review"
        verbose_name_plural = "Worklist: KYC to review"
