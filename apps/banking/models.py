"""Bank data shared by the borrower through an account aggregator (the lender is the "FIU").

A Consent is one bank's permission, asked through the aggregator and approved (or not) by the
borrower in the aggregator's app; its state follows the aggregator's (apps/banking/services.py).
A BankSync fetches the accounts and transactions of every active consent (apps/banking/sync.py),
logging each call in BankCall; the cash-flow figures drawn from them (apps/banking/analytics.py)
are kept in CashFlowSummary, which the score and the offers read.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.models import BaseModel
from apps.core.money import MoneyField

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
    # This bank's data: when it was last fetched whole, and the last fetch that failed (if
    # after, the data we hold from this bank is stale).
    data_fetched_at = models.DateTimeField(null=True, blank=True)
    fetch_failed_at = models.DateTimeField(null=True, blank=True)
    fetch_error = models.CharField(max_length=255, blank=True)

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


class BankAccount(BaseModel):
    """One account at one bank, as the aggregator last reported it. Written only whole, with its
    transactions, in one transaction per bank (apps/banking/sync.py)."""

    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="bank_data_accounts")
    bank = models.CharField(max_length=32)
    link_ref = models.CharField(max_length=64, help_text="The aggregator's reference of the account.")
    masked_number = models.CharField(max_length=24)
    type = models.CharField(max_length=16)
    holder_name = models.CharField(max_length=120, blank=True)
    balance = MoneyField()
    balance_at = models.DateTimeField()
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["bank", "masked_number"]
        constraints = [
            models.UniqueConstraint(fields=["business", "bank", "link_ref"], name="uq_bank_account_ref"),
        ]

    def __str__(self):
        return f"{self.bank} {self.masked_number}"


class BankTransaction(models.Model):
    """A bank's transaction, normalised (apps/banking/normalise.py). Stored once per bank
    transaction id: a re-sync inserts only what is new. Never updated, never deleted."""

    class Direction(models.TextChoices):
        CREDIT = "CREDIT", "Credit"
        DEBIT = "DEBIT", "Debit"

    class Category(models.TextChoices):
        RECEIPT = "RECEIPT", "Receipt"
        PAYMENT = "PAYMENT", "Payment"
        SALARY = "SALARY", "Salary"
        EMI = "EMI", "EMI"
        LOAN = "LOAN", "Loan disbursal"
        GST = "GST", "GST"
        TAX = "TAX", "Tax"
        TRANSFER = "TRANSFER", "Own transfer"
        BOUNCE = "BOUNCE", "Bounce"
        CHARGES = "CHARGES", "Bank charges"
        CASH = "CASH", "Cash"

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="transactions")
    # Denormalised from the account: the analytics read a business's rows by date.
    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="+", db_index=False)
    txn_id = models.CharField(max_length=64, help_text="The bank's own transaction id.")
    posted_at = models.DateTimeField()
    date = models.DateField()
    direction = models.CharField(max_length=6, choices=Direction.choices)
    amount = MoneyField()
    balance_after = MoneyField()
    narration = models.CharField(max_length=255)
    counterparty = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=10, choices=Category.choices)

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "txn_id"], name="uq_bank_txn_per_account"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ck_bank_txn_amount_positive"),
        ]
        indexes = [models.Index(fields=["business", "date"], name="ix_bank_txn_business_date")]

    def __str__(self):
        return f"{self.date} {self.direction} {self.amount} {self.narration[:40]}"


class BankSync(FSMModelMixin, BaseModel):
    """One fetch of a business's bank data, across every active consent. At most one RUNNING
    per business (the partial unique constraint is the lock: a second start is a 409)."""

    class Status(models.TextChoices):
        RUNNING = "RUNNING", "Running"
        DONE = "DONE", "Done"
        PARTIAL = "PARTIAL", "Partial: some banks failed"
        FAILED = "FAILED", "Failed"

    class Trigger(models.TextChoices):
        REQUEST = "REQUEST", "Asked for"
        NIGHTLY = "NIGHTLY", "Nightly job"

    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="bank_syncs")
    status = FSMField(default=Status.RUNNING, choices=Status.choices, protected=True)
    trigger = models.CharField(max_length=8, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # [{"bank", "status": "DONE"|"FAILED", "accounts", "transactions", "error"}], one per bank.
    banks = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["business"], condition=Q(status="RUNNING"), name="uq_bank_sync_running"),
        ]

    def __str__(self):
        return f"bank data sync {self.created_at:%Y-%m-%d %H:%M} ({self.status})"

    @transition(field=status, source=Status.RUNNING, target=Status.DONE)
    def finish(self):
        """Every bank answered and its data is stored."""

    @transition(field=status, source=Status.RUNNING, target=Status.PARTIAL)
    def finish_partly(self):
        """Some banks answered; the others keep their last good data."""

    @transition(field=status, source=Status.RUNNING, target=Status.FAILED)
    def fail(self):
        """No bank answered, or the run was abandoned (a worker lost past its lease)."""


class BankCall(models.Model):
    """The status log: every call made to a bank through the aggregator, answered or not."""

    id = models.BigAutoField(primary_key=True)
    sync = models.ForeignKey(BankSync, on_delete=models.PROTECT, related_name="calls", null=True, blank=True)
    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="+")
    bank = models.CharField(max_length=32)
    endpoint = models.CharField(max_length=64)
    ok = models.BooleanField()
    status = models.CharField(max_length=24, help_text="The answer: an HTTP status, or what went wrong.")
    latency_ms = models.PositiveIntegerField()
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "bank status log entry"
        verbose_name_plural = "bank status log"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["business", "-created_at"], name="ix_bank_call_business")]

    def __str__(self):
        return f"{self.bank} {self.endpoint} {self.status}"


class CashFlowSummary(models.Model):
    """A business's cash-flow figures as of its latest sync: what the score and the offers read
    (one row, replaced after every sync). The full analytics are computed on demand."""

    business = models.OneToOneField(
        "kyc.Business", on_delete=models.PROTECT, primary_key=True, related_name="cash_flow_summary"
    )
    as_of = models.DateTimeField()
    stale = models.BooleanField(default=False)
    months = models.PositiveSmallIntegerField(help_text="Months of data the figures are drawn from.")
    average_monthly_inflow = MoneyField()
    average_balance = MoneyField()
    emi_obligations = MoneyField(help_text="Monthly EMIs to other lenders found in the data.")
    bounced_debits = models.PositiveIntegerField()
    gst_turnover_ratio = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_affordable_emi = MoneyField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "cash-flow summaries"

    def __str__(self):
        return f"cash flow of {self.business_id} as of {self.as_of:%Y-%m-%d}"


class SandboxAaConsent(models.Model):
    """The sandbox aggregator's own record of a consent (apps/banking/sandbox.py): the outside
    party's state, which ours follows only through its signed answers. Empty outside the sandbox."""

    consent_handle = models.CharField(max_length=64, primary_key=True)
    bank = models.CharField(max_length=32)
    customer_ref = models.CharField(max_length=64)
    status = models.CharField(max_length=16, default="PENDING")
    # The bank behind this consent is down (/sandbox/aa/consents/{handle}/outage|restore): its
    # data fetches answer 503, so a sync keeps the last good data and says stale.
    outage = models.BooleanField(default=False)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sandbox aggregator consent"

    def __str__(self):
        return f"{self.bank} {self.consent_handle} ({self.status})"
