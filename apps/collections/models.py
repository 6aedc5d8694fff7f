from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
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
