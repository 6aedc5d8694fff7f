"""`loan_event`: the one shape of an outbox event about a loan (the loan's id and the business
date, with the facts of the change), which partners receive as the event's `data`."""

from apps.core.outbox import event_emit


def loan_event(topic: str, loan, *, day, **facts):
    return event_emit(
        topic,
        aggregate=loan,
        payload={"loan_id": str(loan.pk), **facts, "business_date": day.isoformat()},
        business_date=day,
    )
