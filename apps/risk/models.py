from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.models import BaseModel
from apps.risk.fraud_rules import RULE_LABELS


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


class RiskAlert(FSMModelMixin, BaseModel):
    """One hit of a fraud or velocity rule (apps/risk/fraud_rules.py) on one subject, for ops.

    REVIEW holds the action it was raised on (409 `held_for_review`) until ops clear the alert;
    BLOCK refuses it (403 `blocked`). Confirming an alert refuses every later action involving
    its subject; clearing it lets the action through (for a velocity rule, only for its window).
    """

    class Decision(models.TextChoices):
        ALLOW = "ALLOW", "Allow"
        REVIEW = "REVIEW", "Review"
        BLOCK = "BLOCK", "Block"

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        CLEARED = "CLEARED", "Cleared"
        CONFIRMED = "CONFIRMED", "Confirmed fraud"

    rule = models.CharField(max_length=48, choices=sorted(RULE_LABELS.items()))
    action = models.CharField(max_length=48, help_text="What was being done: loan.sanction, otp.send, ...")
    subject_type = models.CharField(max_length=32)
    subject_id = models.CharField(max_length=64)
    business = models.ForeignKey("kyc.Business", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evidence = models.JSONField(default=dict)
    decision = models.CharField(max_length=8, choices=Decision.choices)
    status = FSMField(default=Status.OPEN, choices=Status.choices, protected=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "risk alert"
        constraints = [
            # One open alert per rule and subject: a repeated attempt finds it rather than adding one.
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"], condition=Q(status="OPEN"), name="uq_riskalert_open"
            ),
        ]
        indexes = [
            models.Index(fields=["rule", "subject_type", "subject_id", "-created_at"], name="ix_riskalert_subject"),
            models.Index(fields=["created_at"], condition=Q(status="OPEN"), name="ix_riskalert_open_queue"),
            # The screen's first question: is anything this action involves confirmed fraud?
            models.Index(
                fields=["subject_type", "subject_id"], condition=Q(status="CONFIRMED"), name="ix_riskalert_confirmed"
            ),
        ]

    def __str__(self):
        return f"{self.get_rule_display()}: {self.subject_type} {self.subject_id[:12]}"

    @transition(field=status, source=Status.OPEN, target=Status.CLEARED)
    def clear(self, *, by, note: str):
        """Ops looked and found nothing wrong: the held action may go on."""
        self.reviewed_by, self.reviewed_at, self.review_note = by, timezone.now(), note[:255]

    @transition(field=status, source=Status.OPEN, target=Status.CONFIRMED)
    def confirm(self, *, by, note: str):
        """Ops confirm the fraud: the subject stays blocked for this rule."""
        self.reviewed_by, self.reviewed_at, self.review_note = by, timezone.now(), note[:255]
