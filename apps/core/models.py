import uuid

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
