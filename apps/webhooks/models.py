"""Partner webhooks: the endpoints partners registered, and one delivery per (endpoint, event).

A delivery is written by the outbox handler in the transaction that dispatches its event (so an
event that rolled back has none), sent by a worker with no transaction open, and moves only
through its state machine: PENDING -> DELIVERED on a 2xx, else RETRYING with backoff until the
last attempt makes it DEAD; ADMIN sends a DEAD (or any) delivery again (-> PENDING).
"""

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.models import BaseModel

# The event types a partner may subscribe to (API.md "Partner webhooks").
PARTNER_EVENTS = (
    "loan.sanctioned",
    "loan.disbursed",
    "repayment.received",
    "emi.bounced",
    "loan.classification_changed",
    "loan.closed",
    "loan.written_off",
    "collection_case.ptp_broken",
)


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


class WebhookEndpoint(BaseModel):
    """Where a partner wants our events, and which. The secret signs every delivery; it is shown
    once, when ADMIN registers the endpoint, and never again."""

    url = models.URLField("URL", max_length=500)
    events = ArrayField(models.CharField(max_length=64))
    description = models.CharField(max_length=255, blank=True)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "partner webhook endpoint"

    def __str__(self):
        return self.url


class WebhookDelivery(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        DELIVERED = "DELIVERED", "Delivered"
        RETRYING = "RETRYING", "Retrying"
        DEAD = "DEAD", "Dead"

    id = models.BigAutoField(primary_key=True)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries")
    event = models.ForeignKey("core.Event", on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=64)
    # The event's aggregate ("loans.loan:<id>"): deliveries of one key reach a partner in order.
    ordering_key = models.CharField(max_length=140)
    status = FSMField(default=Status.PENDING, choices=Status.choices, protected=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="uq_delivery_endpoint_event")]
        indexes = [
            # The workers' queue, and the "is an earlier one of this key still owed?" probe.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=["PENDING", "RETRYING"]),
                name="ix_delivery_due",
            ),
            models.Index(
                fields=["endpoint", "ordering_key", "id"],
                condition=Q(status__in=["PENDING", "RETRYING"]),
                name="ix_delivery_owed_by_key",
            ),
            models.Index(fields=["status", "-id"], name="ix_delivery_status"),
        ]
        verbose_name = "partner webhook delivery"
        verbose_name_plural = "partner webhook deliveries"

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id}"

    @transition(field=status, source=[Status.PENDING, Status.RETRYING], target=Status.DELIVERED)
    def delivered(self, *, status_code, at):
        self.last_status_code, self.last_error, self.delivered_at = status_code, "", at

    @transition(field=status, source=[Status.PENDING, Status.RETRYING], target=Status.RETRYING)
    def retry_later(self, *, status_code, error, at):
        self.last_status_code, self.last_error, self.next_attempt_at = status_code, error[:500], at

    @transition(field=status, source=[Status.PENDING, Status.RETRYING], target=Status.DEAD)
    def give_up(self, *, status_code, error):
        self.last_status_code, self.last_error = status_code, error[:500]

    @transition(
        field=status, source=[Status.DEAD, Status.DELIVERED, Status.RETRYING, Status.PENDING], target=Status.PENDING
    )
    def redeliver(self, *, at):
        self.attempts, self.next_attempt_at = 0, at
