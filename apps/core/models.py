import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class BaseModel(models.Model):
    """UUID primary key and timestamps, shared by every business table."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class RequestedWithKey(models.Model):
    """A row a user's request creates once: who asked, and the Idempotency-Key they sent. The
    key is kept on the row (unique per user when given, `key_constraint`) so a retried request
    finds what the first one made, even when an outside party was called in between and no
    transaction spans the request (a payout, a payment intent)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=255, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def key_constraint(name: str) -> models.UniqueConstraint:
        return models.UniqueConstraint(
            fields=["created_by", "idempotency_key"], condition=~models.Q(idempotency_key=""), name=name
        )


class BusinessDate(models.Model):
    """The lender's "today" for every lending rule. A single row (id=1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    date = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="ck_business_date_singleton")]

    def __str__(self):
        return self.date.isoformat()


class ClosedBusinessDay(models.Model):
    """A business date whose close of business finished: written in the transaction of that
    day's last step, so a run killed part-way through a catch-up resumes after the last day it
    really closed, and the business date never moves back behind a closed day."""

    business_date = models.DateField(primary_key=True)
    closed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-business_date"]

    def __str__(self):
        return f"closed {self.business_date.isoformat()}"


class JobRun(models.Model):
    """One run of a scheduled job, visible in the admin and through the API."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED"
        RUNNING = "RUNNING"
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"
        SKIPPED = "SKIPPED"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=64, db_index=True)
    business_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    triggered_by = models.CharField(max_length=150, blank=True, help_text="beat, a username, or the CLI")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["name", "-created_at"], name="ix_jobrun_name_latest")]

    def __str__(self):
        return f"{self.name} {self.business_date} {self.status}"


class IdempotencyRecord(models.Model):
    """The response to replay for an Idempotency-Key, committed with the change it describes.

    A request still running has no row: it holds a transaction-scoped advisory lock instead
    (apps/core/idempotency.py).
    """

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="sha256 of method, path and body")
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="uq_idempotency_user_key")]

    def __str__(self):
        return f"{self.key} ({self.response_status})"


class Event(models.Model):
    """A domain event in the transactional outbox (apps/core/outbox.py).

    Written in the transaction of the change it describes, so it exists exactly when the change
    committed; a worker hands it to the handlers higher apps registered, at least once, in order
    per aggregate (the `id` sequence: the writers of one aggregate hold its row lock, so its
    events are numbered in commit order).
    """

    class Status(models.TextChoices):
        PENDING = "PENDING"
        DISPATCHED = "DISPATCHED"
        # Handlers kept failing: left for ops, and no longer holding back later events.
        DEAD = "DEAD"

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    topic = models.CharField(max_length=64)
    aggregate_type = models.CharField(max_length=64)
    aggregate_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    business_date = models.DateField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The dispatcher's queue and the per-aggregate order check read only pending rows.
            models.Index(fields=["id"], condition=models.Q(status="PENDING"), name="ix_event_pending"),
            models.Index(
                fields=["aggregate_id", "id"], condition=models.Q(status="PENDING"), name="ix_event_pending_aggregate"
            ),
            models.Index(fields=["aggregate_type", "aggregate_id", "-id"], name="ix_event_aggregate"),
            models.Index(fields=["topic", "-id"], name="ix_event_topic"),
            # /metrics counts the DEAD ones on every scrape; they are few among millions.
            models.Index(fields=["id"], condition=models.Q(status="DEAD"), name="ix_event_dead"),
        ]

    def __str__(self):
        return f"{self.topic} {self.aggregate_type}:{self.aggregate_id}"


class HandledEvent(models.Model):
    """One handler's receipt for one event, committed with what the handler did: a redelivered
    event skips the handlers that already took it."""

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="receipts")
    handler = models.CharField(max_length=128)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="uq_handled_event_handler")]

    def __str__(self):
        return f"{self.handler} took {self.event_id}"
