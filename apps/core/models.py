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
