"""The business date: "today" for due dates, DPD, classification, accrual and reports."""

import datetime

from django.db import transaction
from django.utils import timezone

from apps.core.models import BusinessDate
from apps.core.signals import audit_event


def calendar_today() -> datetime.date:
    return timezone.localdate()  # Asia/Kolkata, the TIME_ZONE setting


def get_business_date() -> datetime.date:
    """The one function every lending rule calls for "today"."""
    row = BusinessDate.objects.filter(id=1).only("date").first()
    return row.date if row else calendar_today()


@transaction.atomic
def business_date_set(*, date: datetime.date, actor=None, reason: str = "") -> datetime.date:
    row = BusinessDate.objects.select_for_update().filter(id=1).first()
    before = row.date.isoformat() if row else calendar_today().isoformat()
    BusinessDate.objects.update_or_create(id=1, defaults={"date": date})
    audit_event.send(
        sender=BusinessDate,
        action="business_date.changed",
        object_type="core.businessdate",
        object_id="1",
        before={"business_date": before},
        after={"business_date": date.isoformat()},
        actor=actor,
        reason=reason,
    )
    return date
