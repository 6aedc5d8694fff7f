from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel


class CreditScore(BaseModel):
    """One scoring of a business; history is kept, the newest row is the current score."""

    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="credit_scores")
    score = models.PositiveSmallIntegerField()
    grade = models.CharField(max_length=1)
    rule_set_version = models.CharField(max_length=16)
    factors = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-computed_at"]
        indexes = [models.Index(fields=["business", "-computed_at"], name="ix_score_business_latest")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=300, score__lte=900), name="ck_score_range"),
            models.CheckConstraint(condition=Q(grade__in=["A", "B", "C", "D", "E"]), name="ck_score_grade"),
        ]

    def __str__(self):
        return f"{self.score} ({self.grade})"
