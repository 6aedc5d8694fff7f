import datetime

import pytest

from apps.collections.models import Notification
from apps.core.jobs_runner import run_job
from tests.support.days import days_after, set_day
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


def test_reminders_for_due_in_three_days_due_today_and_overdue_once_a_day(borrower, mailoutbox):
    borrower.email = "owner@example.com"
    borrower.save(update_fields=["email"])
    loan = make_loan(borrower)
    day = days_after(loan, 1, -3)
    set_day(day)
    run = run_job("emi_reminders", business_date=day)
    assert run.counts == {"queued": 2, "sent": 2, "failed": 0}  # SMS and e-mail
    assert set(Notification.objects.values_list("template", "channel")) == {
        ("EMI_DUE_SOON", "SMS"),
        ("EMI_DUE_SOON", "EMAIL"),
    }
    assert len(mailoutbox) == 1 and "13,089.77" in mailoutbox[0].body
    assert run_job("emi_reminders", business_date=day).counts == {"queued": 0, "sent": 0, "failed": 0}

    due = days_after(loan, 1, 0)
    assert run_job("emi_reminders", business_date=due).counts["queued"] == 2
    late = due + datetime.timedelta(days=4)
    run_job("emi_reminders", business_date=late)
    assert Notification.objects.filter(for_date=late, template="EMI_OVERDUE").count() == 2
    assert Notification.objects.filter(status="SENT").count() == 6


def test_nothing_between_reminder_days(borrower):
    loan = make_loan(borrower)
    assert run_job("emi_reminders", business_date=days_after(loan, 1, -2)).counts["queued"] == 0


def test_a_worker_dying_mid_send_never_sends_a_reminder_twice(borrower, monkeypatch):
    from apps.collections import reminders

    borrower.email = "owner@example.com"
    borrower.save(update_fields=["email"])
    loan = make_loan(borrower)
    day = days_after(loan, 1, -3)
    delivered, real = [], reminders._deliver

    def dies_on_the_second(notification):
        if delivered:
            raise SystemExit("worker killed")  # not an Exception: the run is cut short, as by SIGKILL
        real(notification)
        delivered.append(notification.pk)

    monkeypatch.setattr(reminders, "_deliver", dies_on_the_second)
    reminders.queue_reminders(day)
    with pytest.raises(SystemExit):
        reminders.send_queued(day)
    monkeypatch.setattr(reminders, "_deliver", lambda n: delivered.append(n.pk))
    assert reminders.send_queued(day) == {"sent": 0, "failed": 0}  # the claimed chunk is not sent again
    assert len(delivered) == len(set(delivered)) == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {"SENDING"}  # for ops to look at
