"""The business date: "today" for due dates, DPD, classification, accrual and reports."""

import datetime

from django.db import transaction
from django.utils import timezone

from apps.core.errors import InvalidInput
from apps.core.models import BusinessDate, ClosedBusinessDay
from apps.core.signals import audit_event


def calendar_today() -> datetime.date:
    return timezone.localdate()  # Asia/Kolkata, the TIME_ZONE setting


def get_business_date() -> datetime.date:
    """The one function every lending rule calls for "today"."""
    row = BusinessDate.objects.filter(id=1).only("date").first()
    return row.date if row else calendar_today()


def last_closed_day() -> datetime.date | None:
    row = ClosedBusinessDay.objects.order_by("-business_date").only("business_date").first()
    return row.business_date if row else None


def business_day_closed(*, day: datetime.date) -> None:
    """Called by the close of business inside the transaction of the day's last step."""
    ClosedBusinessDay.objects.get_or_create(business_date=day)


def business_date_check(*, date: datetime.date) -> None:
    closed = last_closed_day()
    if closed and date < closed:
        raise InvalidInput(
            f"The close of business already ran for {closed.isoformat()}; the business date cannot move before it.",
            field="business_date",
        )


@transaction.atomic
def business_date_set(*, date: datetime.date, actor=None, reason: str = "") -> datetime.date:
    """Moves "today". Never behind a day the close of business has closed: interest, DPD and
    classification were booked for it, and a quote or a close for an earlier day would contradict
    the books (a foreclosure quote going negative)."""
    row = BusinessDate.objects.select_for_update().filter(id=1).first()
    business_date_check(date=date)
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
