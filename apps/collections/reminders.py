"""EMI reminders: select set-based, insert once per installment, channel and day, then send.

Selection is one INSERT ... SELECT per channel (ON CONFLICT DO NOTHING on the once-per-day
constraint), so a re-run on the same business date queues nothing new and sends nothing twice.
Loans whose collection case holds a promise not yet due are skipped.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.phone import mask_phone
from apps.accounts.providers import get_sms_provider
from apps.collections.models import Notification
from apps.loans.models import Loan

logger = logging.getLogger(__name__)
CHUNK = 500

TEXTS = {
    Notification.Template.EMI_DUE_SOON: "Your EMI {number} of Rs {owed} is due on {due}.",
    Notification.Template.EMI_DUE_TODAY: "Your EMI {number} of Rs {owed} is due today.",
    Notification.Template.EMI_OVERDUE: "Your EMI {number} of Rs {owed} was due on {due} and is unpaid.",
}

_QUEUE_SQL = """
INSERT INTO collections_notification
    (id, created_at, updated_at, user_id, loan_id, installment_id, channel, template, for_date, status, body, error)
SELECT gen_random_uuid(), now(), now(), l.borrower_id, l.id, i.id, %(channel)s,
       CASE WHEN i.due_date = %(soon)s THEN 'EMI_DUE_SOON'
            WHEN i.due_date = %(today)s THEN 'EMI_DUE_TODAY'
            ELSE 'EMI_OVERDUE' END,
       %(today)s, 'QUEUED', '', ''
FROM loans_installment i
JOIN loans_loan l ON l.id = i.loan_id
JOIN accounts_user u ON u.id = l.borrower_id
WHERE i.status <> 'PAID'
  AND l.status = ANY(%(live)s)
  AND (i.due_date = %(soon)s OR i.due_date <= %(today)s)
  AND {channel_filter}
  -- A borrower who promised to pay by a date not yet reached is not chased meanwhile.
  AND NOT EXISTS (SELECT 1 FROM collections_collectioncase c
                  WHERE c.loan_id = l.id AND c.status = 'PTP' AND c.ptp_due_on >= %(today)s)
ON CONFLICT ON CONSTRAINT uq_notification_once_per_day DO NOTHING
"""

CHANNEL_FILTERS = {
    Notification.Channel.SMS: "u.phone IS NOT NULL",
    Notification.Channel.EMAIL: "u.email <> ''",
}


def queue_reminders(business_date: datetime.date) -> int:
    params = {
        "soon": business_date + datetime.timedelta(days=3),
        "today": business_date,
        "live": [str(status) for status in Loan.LIVE_STATUSES],
    }
    queued = 0
    with connection.cursor() as cursor:
        for channel, channel_filter in CHANNEL_FILTERS.items():
            cursor.execute(_QUEUE_SQL.format(channel_filter=channel_filter), {**params, "channel": channel})
            queued += cursor.rowcount
    return queued


def _text(notification: Notification) -> str:
    installment = notification.installment
    return TEXTS[notification.template].format(
        number=installment.number, owed=f"{installment.owed:,.2f}", due=installment.due_date.isoformat()
    )


def _deliver(notification: Notification) -> None:
    body = _text(notification)
    notification.body = body
    if notification.channel == Notification.Channel.SMS:
        get_sms_provider().send(phone=notification.user.phone, message=body)
        logger.info("reminder %s sent to %s", notification.template, mask_phone(notification.user.phone))
    else:
        send_mail("Your EMI with GST Credit", body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])


def _claim(business_date: datetime.date) -> list[Notification]:
    """A chunk of QUEUED reminders marked SENDING and committed (SKIP LOCKED: workers never share)."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(for_date=business_date, status=Notification.Status.QUEUED)
            .order_by("id")
            .values_list("id", flat=True)[:CHUNK]
        )
        Notification.objects.filter(id__in=ids).update(status=Notification.Status.SENDING, updated_at=timezone.now())
    return list(Notification.objects.select_related("user", "installment").filter(id__in=ids).order_by("id"))


def send_queued(business_date: datetime.date) -> dict[str, int]:
    """Send in claimed chunks. At most once: a reminder is claimed (committed) before it is sent,
    and its outcome is written after, one chunk at a time."""
    sent = failed = 0
    while batch := _claim(business_date):
        for notification in batch:
            now = timezone.now()
            notification.updated_at = now
            try:
                _deliver(notification)
            except Exception as exc:  # noqa: BLE001 - one bad number must not stop the run
                notification.status, notification.error = Notification.Status.FAILED, str(exc)[:255]
                failed += 1
            else:
                notification.status, notification.sent_at = Notification.Status.SENT, now
                sent += 1
        Notification.objects.bulk_update(batch, ["status", "sent_at", "error", "body", "updated_at"])
    return {"sent": sent, "failed": failed}
