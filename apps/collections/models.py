import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.inr import inr
from apps.core.models import BaseModel
from apps.core.money import ZERO, MoneyField


class Notification(BaseModel):
    """A message to a borrower. The unique constraint is what makes a reminder go out at most
    once per installment, channel and business date, however often the job runs."""

    class Channel(models.TextChoices):
        SMS = "SMS"
        EMAIL = "EMAIL"

    class Template(models.TextChoices):
        EMI_DUE_SOON = "EMI_DUE_SOON", "EMI due in 3 days"
        EMI_DUE_TODAY = "EMI_DUE_TODAY", "EMI due today"
        EMI_OVERDUE = "EMI_OVERDUE", "EMI overdue"

    class Status(models.TextChoices):
        QUEUED = "QUEUED"
        # Claimed by a worker and committed before the message goes out: if the worker dies
        # mid-send, the reminder stays SENDING (visible to ops) rather than going out twice.
        SENDING = "SENDING"
        SENT = "SENT"
        FAILED = "FAILED"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="notifications")
    installment = models.ForeignKey("loans.Installment", on_delete=models.PROTECT, related_name="notifications")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    template = models.CharField(max_length=24, choices=Template.choices)
    for_date = models.DateField(help_text="The business date the reminder belongs to")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    body = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["installment", "channel", "for_date"], name="uq_notification_once_per_day"),
        ]
        indexes = [
            models.Index(fields=["for_date", "status"], name="ix_notification_date_status"),
            models.Index(fields=["status"], condition=Q(status="QUEUED"), name="ix_notification_queued"),
        ]

    def __str__(self):
        return f"{self.template} {self.channel} {self.for_date}"


class RecoveryAction(FSMModelMixin, BaseModel):
    """A step taken to recover a defaulted loan; completing it posts what was recovered."""

    class ActionType(models.TextChoices):
        LEGAL_NOTICE = "LEGAL_NOTICE"
        FIELD_VISIT = "FIELD_VISIT"
        COLLATERAL_LIQUIDATION = "COLLATERAL_LIQUIDATION"
        SETTLEMENT = "SETTLEMENT"
        ARBITRATION = "ARBITRATION"

    class Status(models.TextChoices):
        INITIATED = "INITIATED"
        COMPLETED = "COMPLETED"
        CANCELLED = "CANCELLED"

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="recovery_actions")
    action_type = models.CharField(max_length=24, choices=ActionType.choices)
    notes = models.TextField(blank=True)
    status = FSMField(default=Status.INITIATED, choices=Status.choices, protected=True, db_index=True)
    recovered_amount = MoneyField(default=ZERO)
    written_off_amount = MoneyField(default=ZERO)
    initiated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered_amount__gte=0, written_off_amount__gte=0), name="ck_recovery_amounts"
            ),
        ]

    def __str__(self):
        return f"{self.action_type} ({self.status})"

    @transition(field=status, source=Status.INITIATED, target=Status.COMPLETED)
    def complete(self, *, on, by, recovered, written_off):
        self.completed_on, self.completed_by = on, by
        self.recovered_amount, self.written_off_amount = recovered, written_off

    @transition(field=status, source=Status.INITIATED, target=Status.CANCELLED)
    def cancel(self, *, on, by):
        self.completed_on, self.completed_by = on, by


# ---- Collection cases -------------------------------------------------------------------------


class CollectionCase(FSMModelMixin, BaseModel):
    """A delinquent loan being worked by a collector, from its first overdue night until its
    arrears are paid (PAID) or the loan leaves the book (CLOSED). One open case per loan.

    Status moves only through the transitions below, each taken by a service in
    apps/collections/cases.py (one case) or by the set-based sync of the close of business
    (apps/collections/case_sync.py) along the same edges; every move writes a CaseEvent and an
    audit row.
    """

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        PTP = "PTP", "Promise to pay"
        BROKEN_PTP = "BROKEN_PTP", "Promise broken"
        PAID = "PAID", "Paid"
        ESCALATED = "ESCALATED", "Escalated"
        CLOSED = "CLOSED", "Closed"

    # A loan has at most one case in these (the partial unique constraint below).
    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.PTP, Status.BROKEN_PTP, Status.ESCALATED)
    # Where collectors still work it; ESCALATED belongs to recovery.
    WORKED_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.PTP, Status.BROKEN_PTP)

    loan = models.ForeignKey("loans.Loan", on_delete=models.PROTECT, related_name="collection_cases")
    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="collection_cases")
    status = FSMField(default=Status.OPEN, choices=Status.choices, protected=True)
    bucket = models.CharField(max_length=8, help_text="The loan's classification (SMA_0 … NPA)")
    dpd = models.PositiveIntegerField("DPD", default=0)
    amount_overdue = MoneyField(default=ZERO)
    principal_outstanding = MoneyField(default=ZERO)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collection_cases",
        limit_choices_to={"role": "COLLECTOR"},
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    next_action_on = models.DateField(null=True, blank=True)
    last_action_at = models.DateTimeField(null=True, blank=True)
    # The pending promise, kept on the case so the worklist orders by it from an index.
    ptp_amount = MoneyField("promised amount", null=True, blank=True)
    ptp_due_on = models.DateField("promised by", null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["loan"],
                condition=Q(status__in=["OPEN", "IN_PROGRESS", "PTP", "BROKEN_PTP", "ESCALATED"]),
                name="uq_case_one_open_per_loan",
            ),
            models.CheckConstraint(condition=Q(amount_overdue__gte=0), name="ck_case_overdue_non_negative"),
        ]
        indexes = [
            # A collector's worklist: their open cases, promises due first.
            models.Index(
                fields=["assigned_to", "ptp_due_on", "bucket", "-amount_overdue"],
                condition=Q(status__in=["OPEN", "IN_PROGRESS", "PTP", "BROKEN_PTP", "ESCALATED"]),
                name="ix_case_worklist",
            ),
            # The aging report: open cases by bucket and status with their amounts, from the
            # index alone.
            models.Index(
                fields=["bucket", "status"],
                include=["principal_outstanding", "amount_overdue"],
                condition=Q(status__in=["OPEN", "IN_PROGRESS", "PTP", "BROKEN_PTP", "ESCALATED"]),
                name="ix_case_open_aging",
            ),
            models.Index(fields=["status", "ptp_due_on"], condition=Q(status="PTP"), name="ix_case_ptp_due"),
            models.Index(fields=["loan", "-opened_on"], name="ix_case_loan"),
        ]
        verbose_name = "collection case"

    def __str__(self):
        return f"Case {self.loan.reference} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @transition(field=status, source=Status.OPEN, target=Status.IN_PROGRESS)
    def start(self):
        """The first action logged on a new case."""

    @transition(field=status, source=[Status.OPEN, Status.IN_PROGRESS, Status.BROKEN_PTP], target=Status.PTP)
    def promise(self, *, amount, due_on):
        self.ptp_amount, self.ptp_due_on = amount, due_on

    @transition(field=status, source=Status.PTP, target=Status.IN_PROGRESS)
    def keep_promise(self):
        self.ptp_amount = self.ptp_due_on = None

    @transition(field=status, source=Status.PTP, target=Status.BROKEN_PTP)
    def break_promise(self):
        self.ptp_amount = self.ptp_due_on = None

    @transition(field=status, source=list(WORKED_STATUSES), target=Status.PAID)
    def mark_paid(self, *, on):
        self.closed_on, self.ptp_amount, self.ptp_due_on = on, None, None

    @transition(field=status, source=list(WORKED_STATUSES), target=Status.ESCALATED)
    def escalate(self):
        self.ptp_amount = self.ptp_due_on = None

    @transition(field=status, source=list(OPEN_STATUSES), target=Status.CLOSED)
    def close(self, *, on):
        self.closed_on, self.ptp_amount, self.ptp_due_on = on, None, None


class PromiseToPay(BaseModel):
    """What a borrower promised on a call or visit: kept when payments since the promise reach
    its amount by its date, broken when the date passes first."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        KEPT = "KEPT", "Kept"
        BROKEN = "BROKEN", "Broken"
        # The case ended (paid, escalated, closed) with the promise still pending.
        VOID = "VOID", "Void"

    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="promises")
    amount = MoneyField()
    due_on = models.DateField()
    amount_paid = MoneyField(default=ZERO)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    promised_on = models.DateField(help_text="The business date it was made")
    settled_on = models.DateField(null=True, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="PENDING"), name="uq_ptp_one_pending"),
            models.CheckConstraint(condition=Q(amount__gt=0, amount_paid__gte=0), name="ck_ptp_amounts"),
        ]
        indexes = [models.Index(fields=["status", "settled_on"], name="ix_ptp_settled")]
        verbose_name = "promise to pay"
        verbose_name_plural = "promises to pay"

    def __str__(self):
        return f"{inr(self.amount)} by {self.due_on:%d %b %Y} ({self.get_status_display()})"


class CaseAction(BaseModel):
    """A call, message, visit or note on a case, by the collector who made it."""

    class Type(models.TextChoices):
        CALL = "CALL", "Call"
        SMS = "SMS", "SMS"
        EMAIL = "EMAIL", "Email"
        VISIT = "VISIT", "Visit"
        NOTE = "NOTE", "Note"

    class Outcome(models.TextChoices):
        CONTACTED = "CONTACTED", "Contacted"
        NO_ANSWER = "NO_ANSWER", "No answer"
        WRONG_NUMBER = "WRONG_NUMBER", "Wrong number"
        REFUSED = "REFUSED", "Refused to pay"
        PROMISED = "PROMISED", "Promised to pay"
        DISPUTED = "DISPUTED", "Disputed"

    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="actions")
    type = models.CharField(max_length=8, choices=Type.choices)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    promise = models.OneToOneField(PromiseToPay, null=True, blank=True, on_delete=models.PROTECT, related_name="action")
    business_date = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "-created_at"], name="ix_caseaction_case")]

    def __str__(self):
        return f"{self.get_type_display()}: {self.get_outcome_display()}"


class CaseEvent(models.Model):
    """The case's history, append-only: one row per thing that happened to it."""

    class Type(models.TextChoices):
        CASE_CREATED = "CASE_CREATED", "Case created"
        CASE_ASSIGNED = "CASE_ASSIGNED", "Assigned"
        CASE_ACTION_LOGGED = "CASE_ACTION_LOGGED", "Action logged"
        PTP_PROMISE_SET = "PTP_PROMISE_SET", "Promise to pay"
        PTP_KEPT = "PTP_KEPT", "Promise kept"
        PTP_BROKEN = "PTP_BROKEN", "Promise broken"
        CASE_BUCKET_SYNCED = "CASE_BUCKET_SYNCED", "Bucket changed"
        CASE_PAYMENT_APPLIED = "CASE_PAYMENT_APPLIED", "Payment applied"
        CASE_PAID = "CASE_PAID", "Arrears paid"
        CASE_ESCALATED = "CASE_ESCALATED", "Escalated"
        CASE_CLOSED = "CASE_CLOSED", "Closed"

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(CollectionCase, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=24, choices=Type.choices)
    business_date = models.DateField()
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["case", "-id"], name="ix_caseevent_case"),
            # The daily MIS counts a day's events by type.
            models.Index(fields=["business_date", "type"], name="ix_caseevent_day_type"),
        ]
        verbose_name = "case event"

    def __str__(self):
        return f"{self.get_type_display()} on {self.business_date:%d %b %Y}"

    @property
    def summary(self) -> str:
        """What happened, in words, from the event's data."""
        data = self.data or {}
        if self.type == self.Type.CASE_CREATED:
            return f"DPD {data.get('dpd')}, {inr(data.get('amount_overdue') or 0)} overdue"
        if self.type == self.Type.CASE_ASSIGNED:
            return f"to {data.get('to_name') or data.get('to')} ({data.get('by', '')})"
        if self.type == self.Type.CASE_BUCKET_SYNCED:
            return f"{str(data.get('from', '')).replace('_', '-')} → {str(data.get('to', '')).replace('_', '-')}"
        if self.type == self.Type.PTP_PROMISE_SET:
            due = datetime.date.fromisoformat(data["due_on"]) if data.get("due_on") else None
            return f"{inr(data.get('amount') or 0)} by {due:%d %b %Y}" if due else inr(data.get("amount") or 0)
        if self.type == self.Type.CASE_PAYMENT_APPLIED:
            left = data.get("amount_overdue")
            return f"{inr(data.get('amount') or 0)} received" + (f", {inr(left)} still overdue" if left else "")
        if self.type == self.Type.CASE_ACTION_LOGGED:
            return f"{data.get('type', '').title()}: {data.get('outcome', '').replace('_', ' ').lower()}"
        return data.get("why") or data.get("reason") or ""
