"""Bank data shared by the borrower through an account aggregator (the lender is the "FIU").

A Consent is one bank's permission, asked through the aggregator and approved (or not) by the
borrower in the aggregator's app; its state follows the aggregator's (apps/banking/services.py).
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.models import BaseModel

FI_TYPES = ("DEPOSIT",)


class Consent(FSMModelMixin, BaseModel):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        ACTIVE = "ACTIVE", "Active"
        REJECTED = "REJECTED", "Rejected"
        PAUSED = "PAUSED", "Paused"
        REVOKED = "REVOKED", "Revoked"
        EXPIRED = "EXPIRED", "Expired"

    # The states in which the aggregator may still change it: what polling looks at.
    OPEN_STATUSES = (Status.PENDING, Status.ACTIVE, Status.PAUSED)

    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="consents")
    bank = models.CharField(max_length=32, help_text="The aggregator's id of the bank.")
    consent_handle = models.CharField(max_length=64, unique=True)
    approval_url = models.URLField(max_length=500)
    fi_types = ArrayField(models.CharField(max_length=16), default=list)
    months = models.PositiveSmallIntegerField()
    purpose = models.CharField(max_length=120)
    status = FSMField(default=Status.PENDING, choices=Status.choices, protected=True)
    expires_at = models.DateTimeField()
    # The verified claims of the aggregator's latest signed word on this consent.
    artefact = models.JSONField(default=dict, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(months__gte=1, months__lte=24), name="ck_consent_months"),
            # One live consent per business and bank: asking again while one is open returns it.
            models.UniqueConstraint(
                fields=["business", "bank"],
                condition=Q(status__in=["PENDING", "ACTIVE", "PAUSED"]),
                name="uq_consent_open_per_bank",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_polled_at"], name="ix_consent_poll")]

    def __str__(self):
        return f"{self.bank} consent ({self.status})"

    @transition(field=status, source=Status.PENDING, target=Status.ACTIVE)
    def approve(self):
        """The borrower approved it in the aggregator's app."""

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self):
        """The borrower declined."""

    @transition(field=status, source=Status.ACTIVE, target=Status.PAUSED)
    def pause(self):
        """The borrower paused sharing; data may not be fetched until resumed."""

    @transition(field=status, source=Status.PAUSED, target=Status.ACTIVE)
    def resume(self):
        """The borrower resumed a paused consent."""

    @transition(field=status, source=[Status.ACTIVE, Status.PAUSED], target=Status.REVOKED)
    def revoke(self):
        """The borrower withdrew it: no more data, ever, under this consent."""

    @transition(field=status, source=[Status.PENDING, Status.ACTIVE, Status.PAUSED], target=Status.EXPIRED)
    def expire(self):
        """Past its expiry, approved or not."""


class SandboxAaConsent(models.Model):
    """The sandbox aggregator's own record of a consent (apps/banking/sandbox.py): the outside
    party's state, which ours follows only through its signed answers. Empty outside the sandbox."""

    consent_handle = models.CharField(max_length=64, primary_key=True)
    bank = models.CharField(max_length=32)
    customer_ref = models.CharField(max_length=64)
    status = models.CharField(max_length=16, default="PENDING")
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sandbox aggregator consent"

    def __str__(self):
        return f"{self.bank} {self.consent_handle} ({self.status})"
