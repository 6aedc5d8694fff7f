"""The money rails: what the payment rail tells us (inbound webhook events, stored raw before
anything is done with them), the payments borrowers start on it, and money we received beyond
what a loan owed."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.inr import inr
from apps.core.models import BaseModel, RequestedWithKey
from apps.core.money import MoneyField
from apps.repayments.models import Repayment


class WebhookEvent(models.Model):
    """One event the payment rail sent, exactly as received, with its signature verdict.

    Stored (and answered 200) before it is applied: a worker applies it afterwards, so a slow or
    failing apply never makes the rail resend, and the raw event is there for ops to read and
    replay. Unique by the rail's event id: the same event again is a no-op.
    """

    class Status(models.TextChoices):
        RECEIVED = "RECEIVED", "Received"
        APPLIED = "APPLIED", "Applied"
        # Nothing of ours to do (an event type we do not use): kept, not applied.
        IGNORED = "IGNORED", "Ignored"
        RETRYING = "RETRYING", "Retrying"
        # Applying kept failing: the dead-letter list, replayed by ops from the admin.
        DEAD = "DEAD", "Dead letter"

    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField("rail's event id", max_length=100, unique=True)
    type = models.CharField(max_length=64)
    created = models.DateTimeField(help_text="When the rail says the event happened")
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    raw_body = models.TextField()
    signature = models.CharField(max_length=255)
    signed_at = models.DateTimeField(help_text="The signature's timestamp, checked within the tolerance")
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The worker's queue: events still to apply, by when they are due.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=["RECEIVED", "RETRYING"]),
                name="ix_webhook_event_due",
            ),
            models.Index(fields=["status", "-id"], name="ix_webhook_event_status"),
            models.Index(fields=["type", "-id"], name="ix_webhook_event_type"),
        ]
        verbose_name = "rail webhook event"

    def __str__(self):
        return f"{self.type} {self.event_id}"


class PaymentIntent(FSMModelMixin, RequestedWithKey, BaseModel):
    """A payment the borrower starts on the rail (UPI, net banking) or a mandate debit we present
    for an installment. Written before the rail is asked (our `id` is the reference the rail
    de-duplicates on); the rail's webhook settles it. Succeeded, it points at the repayment it
    became (`utr` unique: one bank transfer books once)."""

    class Method(models.TextChoices):
        UPI = "UPI", "UPI"
        NETBANKING = "NETBANKING", "Net banking"
        NACH = "NACH", "NACH debit"
        UPI_AUTOPAY = "UPI_AUTOPAY", "UPI AutoPay debit"

    class Status(models.TextChoices):
        CREATED = "CREATED", "Created"
        PRESENTED = "PRESENTED", "Presented"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed"
        EXPIRED = "EXPIRED", "Expired"

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="payment_intents")
    installment = models.ForeignKey(
        "loans.Installment", null=True, blank=True, on_delete=models.PROTECT, related_name="payment_intents"
    )
    mandate = models.ForeignKey(
        "Mandate", null=True, blank=True, on_delete=models.PROTECT, related_name="presentations"
    )
    amount = MoneyField()
    method = models.CharField(max_length=12, choices=Method.choices)
    status = FSMField(default=Status.CREATED, choices=Status.choices, protected=True)
    provider_reference = models.CharField(max_length=64, blank=True)
    payment_url = models.URLField(max_length=500, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    utr = models.CharField("UTR", max_length=64, blank=True)
    amount_received = MoneyField(null=True, blank=True)
    repayment = models.ForeignKey(
        "repayments.Repayment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    failure_code = models.CharField(max_length=16, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ck_intent_amount_positive"),
            models.UniqueConstraint(fields=["utr"], condition=~Q(utr=""), name="uq_intent_utr"),
            models.UniqueConstraint(
                fields=["provider_reference"], condition=~Q(provider_reference=""), name="uq_intent_provider_reference"
            ),
            RequestedWithKey.key_constraint("uq_intent_idempotency_key"),
            # A mandate presents an installment once, however often the job runs.
            models.UniqueConstraint(
                fields=["installment"], condition=Q(installment__isnull=False), name="uq_intent_installment_presented"
            ),
        ]
        indexes = [
            models.Index(fields=["loan", "-created_at"], name="ix_intent_loan"),
            models.Index(fields=["expires_at"], condition=Q(status="CREATED"), name="ix_intent_open_expiry"),
        ]
        verbose_name = "payment intent"

    def __str__(self):
        return f"{self.get_method_display()} {inr(self.amount)} ({self.get_status_display()})"

    @transition(field=status, source=[Status.CREATED, Status.PRESENTED], target=Status.SUCCEEDED)
    def succeed(self, *, utr, amount_received, repayment):
        self.utr, self.amount_received, self.repayment = utr, amount_received, repayment

    @transition(field=status, source=[Status.CREATED, Status.PRESENTED], target=Status.FAILED)
    def fail(self, *, code="", reason=""):
        self.failure_code, self.failure_reason = code[:16], reason[:255]

    @transition(field=status, source=Status.CREATED, target=Status.EXPIRED)
    def expire(self):
        """Its payment page timed out unpaid."""


class UnappliedCredit(FSMModelMixin, BaseModel):
    """Money that reached us for a loan beyond what it owed (or after it closed): parked in
    "Borrower advances and excess payments" (a liability), never lost, until ops apply it to
    the loan's dues or refund it."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        APPLIED = "APPLIED", "Applied"
        REFUNDED = "REFUNDED", "Refunded"

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="unapplied_credits")
    intent = models.ForeignKey(PaymentIntent, null=True, blank=True, on_delete=models.PROTECT, related_name="credits")
    amount = MoneyField()
    utr = models.CharField("UTR", max_length=64, blank=True)
    status = FSMField(default=Status.OPEN, choices=Status.choices, protected=True)
    business_date = models.DateField()
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="ck_credit_amount_positive")]
        indexes = [models.Index(fields=["status", "-created_at"], name="ix_credit_status")]
        verbose_name = "unapplied credit"

    def __str__(self):
        return f"{inr(self.amount)} credit ({self.get_status_display()})"

    @transition(field=status, source=Status.OPEN, target=Status.APPLIED)
    def apply(self, *, by, reason=""):
        self.settled_by, self.settled_reason = by, reason

    @transition(field=status, source=Status.OPEN, target=Status.REFUNDED)
    def refund(self, *, by, reason):
        self.settled_by, self.settled_reason = by, reason


class SettlementFile(BaseModel):
    """A settlement report of the rail, uploaded by ops: what the rail says it paid into our
    collection account. Its rows are matched to the repayments booked under the same UTR."""

    name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True, help_text="The same file twice is refused")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    mismatched = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "settlement file"

    def __str__(self):
        return f"{self.name} ({self.rows} rows)"


class SettlementRow(FSMModelMixin, BaseModel):
    """One line of a settlement file and what it matched: MATCHED (a booking under its UTR for
    its amount), UNMATCHED (nothing booked under the UTR), MISMATCHED (booked, another amount).
    A break stays listed until ops resolve it with a note."""

    class Status(models.TextChoices):
        MATCHED = "MATCHED", "Matched"
        UNMATCHED = "UNMATCHED", "Unmatched"
        MISMATCHED = "MISMATCHED", "Amount differs"
        RESOLVED = "RESOLVED", "Resolved"

    file = models.ForeignKey(SettlementFile, on_delete=models.PROTECT, related_name="lines")
    line_number = models.PositiveIntegerField()
    provider_reference = models.CharField(max_length=64, blank=True)
    utr = models.CharField("UTR", max_length=64)
    amount = MoneyField()
    settled_on = models.DateField()
    booked_amount = MoneyField(null=True, blank=True, help_text="What we booked under the UTR")
    loan = models.ForeignKey("loans.Loan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = FSMField(default=Status.UNMATCHED, choices=Status.choices, protected=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["file", "line_number"]
        constraints = [models.UniqueConstraint(fields=["file", "line_number"], name="uq_settlement_line")]
        indexes = [
            models.Index(fields=["utr"], name="ix_settlement_utr"),
            models.Index(
                fields=["status"], condition=Q(status__in=["UNMATCHED", "MISMATCHED"]), name="ix_settlement_breaks"
            ),
        ]
        verbose_name = "settlement row"

    def __str__(self):
        return f"{self.utr} {inr(self.amount)} ({self.get_status_display()})"

    @transition(field=status, source=[Status.UNMATCHED, Status.MISMATCHED], target=Status.RESOLVED)
    def resolve(self, *, by, note):
        self.resolved_by, self.resolution = by, note[:255]


class UnsettledRepayment(Repayment):
    """Worklist: repayments the rail collected (intents, mandate debits) more than two days ago
    that no settlement row has confirmed yet."""

    class Meta:
        proxy = True
        verbose_name = "repayment awaiting settlement"
        verbose_name_plural = "Worklist: repayments awaiting settlement"


class Mandate(FSMModelMixin, BaseModel):
    """A standing instruction (NACH, or UPI AutoPay) the borrower authorises on the rail for the
    lender to debit their account for the loan's installments. Created PENDING with the page
    where the borrower authorises it; the rail's webhooks activate, reject or cancel it. One live
    (pending or active) mandate per loan."""

    class Type(models.TextChoices):
        NACH = "NACH", "NACH"
        UPI_AUTOPAY = "UPI_AUTOPAY", "UPI AutoPay"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending authorisation"
        ACTIVE = "ACTIVE", "Active"
        CANCELLED = "CANCELLED", "Cancelled"
        EXPIRED = "EXPIRED", "Expired"
        REJECTED = "REJECTED", "Rejected"

    LIVE_STATUSES = (Status.PENDING, Status.ACTIVE)

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="mandates")
    bank_account = models.ForeignKey("kyc.BankAccount", on_delete=models.PROTECT, related_name="mandates")
    type = models.CharField(max_length=12, choices=Type.choices)
    status = FSMField(default=Status.PENDING, choices=Status.choices, protected=True)
    umrn = models.CharField("UMRN", max_length=40, blank=True)
    max_amount = MoneyField()
    frequency = models.CharField(max_length=12, default="MONTHLY")
    start_date = models.DateField()
    end_date = models.DateField()
    provider_reference = models.CharField(max_length=64, blank=True)
    authorization_url = models.URLField(max_length=500, blank=True)
    status_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"], condition=Q(status__in=["PENDING", "ACTIVE"]), name="uq_mandate_one_live_per_loan"
            ),
            models.UniqueConstraint(fields=["umrn"], condition=~Q(umrn=""), name="uq_mandate_umrn"),
        ]
        indexes = [models.Index(fields=["status"], condition=Q(status="ACTIVE"), name="ix_mandate_active")]

    def __str__(self):
        return f"{self.get_type_display()} mandate ({self.get_status_display()})"

    @transition(field=status, source=Status.PENDING, target=Status.ACTIVE)
    def activate(self, *, umrn):
        self.umrn = umrn[:40]

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED)
    def reject(self, *, reason=""):
        self.status_reason = reason[:255]

    @transition(field=status, source=[Status.PENDING, Status.ACTIVE], target=Status.CANCELLED)
    def cancel(self, *, reason=""):
        self.status_reason = reason[:255]
