from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel
from apps.core.money import ZERO, MoneyField


class NachReturnCode(models.Model):
    """Why a mandate debit came back (NPCI NACH return reasons); editable by ADMIN."""

    code = models.CharField(max_length=4, primary_key=True)
    description = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.description}"


class OfflinePayment(BaseModel):
    """Money that reached the lender's bank outside the API (NEFT, RTGS, UPI, a cheque, cash),
    recorded by ops from the loan page. Applied like any payment: its repayment rows (one per
    installment it paid) point here. Its id is the form's token, so a form posted twice books
    once; a bank reference is recorded once per method, whichever loan it was typed on."""

    class Method(models.TextChoices):
        NEFT = "NEFT", "NEFT"
        RTGS = "RTGS", "RTGS"
        UPI = "UPI", "UPI"
        CHEQUE = "CHEQUE", "Cheque"
        CASH = "CASH", "Cash"

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="offline_payments")
    method = models.CharField(max_length=8, choices=Method.choices)
    reference = models.CharField(max_length=64, blank=True, help_text="UTR, UPI RRN, cheque or receipt number")
    amount = MoneyField()
    received_on = models.DateField()
    business_date = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ck_offline_payment_amount_positive"),
            models.UniqueConstraint(
                fields=["method", "reference"], condition=~Q(reference=""), name="uq_offline_payment_method_reference"
            ),
        ]

    def __str__(self):
        return f"{self.method} {self.reference or '(no reference)'} {self.amount}"


class Repayment(BaseModel):
    class Kind(models.TextChoices):
        EMI = "EMI"
        PREPAYMENT = "PREPAYMENT"
        FORECLOSURE = "FORECLOSURE"
        RECOVERY = "RECOVERY"

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="repayments")
    installment = models.ForeignKey(
        "loans.Installment", null=True, blank=True, on_delete=models.PROTECT, related_name="repayments"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.EMI)
    amount = MoneyField()
    penalty = MoneyField(default=ZERO)
    interest = MoneyField(default=ZERO)
    principal = MoneyField(default=ZERO)
    channel = models.CharField(max_length=16, default="API")
    external_reference = models.CharField(max_length=64, blank=True)
    business_date = models.DateField()
    # Set for money recorded by ops (its method is the channel, its reference external_reference).
    offline_payment = models.ForeignKey(
        OfflinePayment, null=True, blank=True, on_delete=models.PROTECT, related_name="repayments"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # The entry that booked this money; posted first, under the repayment's own id.
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ck_repayment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount=models.F("penalty") + models.F("interest") + models.F("principal")),
                name="ck_repayment_allocation_sums",
            ),
        ]
        indexes = [
            models.Index(fields=["loan", "-created_at"], name="ix_repayment_loan_latest"),
            # The admin's filters: a day (or range) of repayments, and a kind newest first.
            models.Index(fields=["business_date"], name="ix_repayment_business_date"),
            models.Index(fields=["kind", "-created_at"], name="ix_repayment_kind_latest"),
        ]

    def __str__(self):
        return f"{self.kind} {self.amount}"


class Bounce(BaseModel):
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="bounces")
    installment = models.ForeignKey("loans.Installment", on_delete=models.PROTECT, related_name="bounces")
    return_code = models.ForeignKey(NachReturnCode, on_delete=models.PROTECT, related_name="+")
    charge = MoneyField()
    gst = MoneyField("GST")
    business_date = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["business_date"], name="ix_bounce_business_date")]

    def __str__(self):
        return f"bounce {self.return_code_id} {self.charge}"


class ChargeWaiver(BaseModel):
    """Bounce or penal charges owed on an installment, waived by ops with a reason: the
    receivable is reversed to the waiver account and the installment owes that much less."""

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="charge_waivers")
    installment = models.ForeignKey("loans.Installment", on_delete=models.PROTECT, related_name="charge_waivers")
    amount = MoneyField()
    reason = models.TextField()
    business_date = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="ck_charge_waiver_amount_positive")]

    def __str__(self):
        return f"waiver {self.amount}"


class LoanClassificationHistory(models.Model):
    """One row per change of a loan's asset classification, written by the close of business."""

    id = models.BigAutoField(primary_key=True)
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="classification_history")
    business_date = models.DateField()
    from_classification = models.CharField(max_length=8)
    to_classification = models.CharField(max_length=8)
    dpd = models.PositiveIntegerField("DPD")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-business_date", "-id"]
        indexes = [
            models.Index(fields=["loan", "-business_date"], name="ix_class_history_loan"),
            # The daily MIS counts a day's moves into SMA and NPA.
            models.Index(fields=["business_date"], name="ix_class_history_day"),
        ]

    def __str__(self):
        return f"{self.business_date}: {self.from_classification} → {self.to_classification}"


class CloseOfBusinessPart(models.Model):
    """One partition of one run of the close of business (apps/repayments/cob_parts.py): the
    borrowers whose id hashes to `index` of `parts`. Workers claim PENDING parts (or RUNNING ones
    whose lease ran out: the worker holding it died) with SKIP LOCKED, so each part runs once at
    a time and a failed part is run again on its own."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        DONE = "DONE", "Done"
        FAILED = "FAILED", "Failed"

    run_id = models.UUIDField()
    business_date = models.DateField()
    index = models.PositiveSmallIntegerField()
    parts = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    worker = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run_id", "index"], name="uq_cob_part_run_index"),
            models.CheckConstraint(condition=Q(index__lt=models.F("parts")), name="ck_cob_part_index_in_range"),
        ]

    def __str__(self):
        return f"close of business {self.business_date}, part {self.index + 1} of {self.parts} ({self.status})"
