"""The money rails: what the payment rail tells us (inbound webhook events, stored raw before
anything is done with them)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone


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
