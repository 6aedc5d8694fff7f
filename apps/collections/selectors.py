"""Reads of collection cases more than one caller needs: who may see which, and the
collector's worklist order."""

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from apps.collections.models import CollectionCase
from apps.core.business_date import get_business_date
from apps.core.roles import OPS_ROLES, Role


def cases_visible_to(user) -> QuerySet:
    """OFFICER and ADMIN see every case; a COLLECTOR only the ones assigned to them; anyone
    else none."""
    cases = CollectionCase.objects.select_related("loan", "business", "assigned_to")
    role = getattr(user, "role", None)
    if role in OPS_ROLES:
        return cases
    if role == Role.COLLECTOR:
        return cases.filter(assigned_to=user)
    return cases.none()


def worklist_order(cases: QuerySet, today) -> QuerySet:
    """Promises falling due today first, then the worst bucket, then the largest amount overdue."""
    bucket_rank = {"NPA": 0, "SMA_2": 1, "SMA_1": 2, "SMA_0": 3}
    return cases.annotate(
        promise_today=Case(
            When(Q(ptp_due_on__lte=today), then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        bucket_rank=Case(
            *(When(bucket=b, then=Value(rank)) for b, rank in bucket_rank.items()),
            default=Value(9),
            output_field=IntegerField(),
        ),
    ).order_by("promise_today", "bucket_rank", F("amount_overdue").desc(), "pk")


def collector_day_summary(user) -> dict:
    """The counts a collector's start page shows, from their own open cases."""
    today = get_business_date()
    mine = CollectionCase.objects.filter(assigned_to=user, status__in=CollectionCase.OPEN_STATUSES)
    return {
        "open_cases": mine.count(),
        "promises_due": mine.filter(status=CollectionCase.Status.PTP, ptp_due_on__lte=today).count(),
        "broken": mine.filter(status=CollectionCase.Status.BROKEN_PTP).count(),
        "untouched": mine.filter(last_action_at__isnull=True).count(),
    }
