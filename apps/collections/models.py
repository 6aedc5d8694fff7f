from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel


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
