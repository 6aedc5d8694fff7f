from apps.collections.reminders import queue_reminders, send_queued
from apps.core.jobs import job


@job("emi_reminders", description="Remind borrowers of EMIs due in 3 days, due today and overdue; once a day.")
def emi_reminders(*, business_date):
    queued = queue_reminders(business_date)
    return {"queued": queued, **send_queued(business_date)}
