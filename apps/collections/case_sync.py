"""The collection cases after a close of business, set-based (a handful of statements over the
book, whatever its size), run by the outbox when the close of business emits business_day.closed.

In order, for the business date just closed:
1. open cases take their loan's bucket, DPD, amount overdue and principal outstanding; a
   bucket change is a CASE_BUCKET_SYNCED event;
2. cases of loans that left the book (closed, written off) close; cases whose arrears are all
   paid are PAID (a payment's own event normally got there first);
3. promises whose date has passed unpaid are broken (BROKEN_PTP, PTP_BROKEN, and the partner
   event collection_case.ptp_broken);
4. a case opens for every live loan whose DPD reached COLLECTIONS_OPEN_DPD and has none;
5. unassigned cases are assigned round-robin.
Status moves take the cases' AuditedTransitions set-based (the one-row paths' edges and audit
rows); each writes its CaseEvents in the same statement pass. Running it again for the same day
changes nothing.
"""

import datetime

from constance import config
from django.db import connection

from apps.audit.services import record_many
from apps.collections.assignment import cases_assign_round_robin
from apps.collections.cases import BROKEN, CLOSED, PAID
from apps.collections.models import CaseEvent, CollectionCase, PromiseToPay
from apps.core.outbox import events_emit_sql
from apps.loans.models import INSTALLMENT_OWED_SQL, Loan

# What is owed, per loan, on installments due before the day. Not `status = 'OVERDUE'`, though
# the close of business has just marked exactly those: the statistics still describe the book
# before tonight's marking (almost no OVERDUE rows), and the planner, trusting them, re-ran the
# aggregate for every case (a night that never ended on the million-loan bench).
_ARREARS = f"""
    SELECT loan_id, sum({INSTALLMENT_OWED_SQL}) AS owed
    FROM loans_installment WHERE status <> 'PAID' AND due_date < %(day)s GROUP BY loan_id
"""  # noqa: S608 (a constant expression)


_REFRESH_SQL = f"""
WITH arrears AS ({_ARREARS}), fresh AS (
    SELECT c.id, c.bucket AS old_bucket, l.asset_classification AS bucket, l.dpd,
           coalesce(a.owed, 0) AS owed, l.outstanding_principal
    FROM collections_collectioncase c
    JOIN loans_loan l ON l.id = c.loan_id
    LEFT JOIN arrears a ON a.loan_id = c.loan_id
    WHERE c.status = ANY(%(open)s)
), changed AS (
    UPDATE collections_collectioncase c
    SET bucket = fresh.bucket, dpd = fresh.dpd, amount_overdue = fresh.owed,
        principal_outstanding = fresh.outstanding_principal, updated_at = now()
    FROM fresh
    WHERE c.id = fresh.id
      AND (c.bucket, c.dpd, c.amount_overdue, c.principal_outstanding)
          IS DISTINCT FROM (fresh.bucket, fresh.dpd, fresh.owed, fresh.outstanding_principal)
    RETURNING c.id, fresh.old_bucket, fresh.bucket
), history AS (
    INSERT INTO collections_caseevent (case_id, type, business_date, at, data)
    SELECT id, %(event)s, %(day)s, now(), jsonb_build_object('from', old_bucket, 'to', bucket)
    FROM changed WHERE old_bucket <> bucket
    RETURNING 1
)
SELECT (SELECT count(*) FROM changed), (SELECT count(*) FROM history)
"""  # noqa: S608 (constant SQL pieces; every value is bound)

_OPEN_SQL = f"""
WITH arrears AS ({_ARREARS}), opened AS (
    INSERT INTO collections_collectioncase
        (id, created_at, updated_at, loan_id, business_id, status, bucket, dpd, amount_overdue,
         principal_outstanding, opened_on, next_action_on)
    SELECT gen_random_uuid(), now(), now(), l.id, l.business_id, %(opened)s, l.asset_classification, l.dpd,
           coalesce(a.owed, 0), l.outstanding_principal, %(day)s, %(day)s
    FROM loans_loan l LEFT JOIN arrears a ON a.loan_id = l.id
    WHERE l.dpd > 0 AND l.dpd >= %(open_dpd)s AND l.status = ANY(%(live)s)
      AND NOT EXISTS (SELECT 1 FROM collections_collectioncase c WHERE c.loan_id = l.id AND c.status = ANY(%(open)s))
    ON CONFLICT DO NOTHING
    RETURNING id, dpd, amount_overdue
), history AS (
    INSERT INTO collections_caseevent (case_id, type, business_date, at, data)
    SELECT id, %(event)s, %(day)s, now(), jsonb_build_object('dpd', dpd, 'amount_overdue', amount_overdue::text)
    FROM opened
)
SELECT id FROM opened
"""  # noqa: S608 (constant SQL pieces; every value is bound)


def _rows(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _events(ids: list, kind: str, day: datetime.date, data: dict) -> None:
    CaseEvent.objects.bulk_create(
        [CaseEvent(case_id=pk, type=kind, business_date=day, data=data) for pk in ids], batch_size=5000
    )


def _void_promises(case_ids: list, day: datetime.date, status=PromiseToPay.Status.VOID) -> None:
    PromiseToPay.objects.filter(case_id__in=case_ids, status=PromiseToPay.Status.PENDING).update(
        status=status, settled_on=day
    )


def cases_sync(day: datetime.date) -> dict:
    """Everything above for `day`; returns the counts."""
    open_statuses = [str(s) for s in CollectionCase.OPEN_STATUSES]
    reason = f"close of business {day}"
    ((refreshed, bucket_changes),) = _rows(
        _REFRESH_SQL, {"day": day, "open": open_statuses, "event": str(CaseEvent.Type.CASE_BUCKET_SYNCED)}
    )

    gone = CollectionCase.objects.filter(status__in=open_statuses).exclude(loan__status__in=Loan.LIVE_STATUSES)
    closed = CLOSED.transition.many(gone, reason=reason, closed_on=day, ptp_amount=None, ptp_due_on=None)
    _void_promises(closed, day)
    _events(closed, CaseEvent.Type.CASE_CLOSED, day, {"why": "the loan left the book"})

    cleared = CollectionCase.objects.filter(status__in=CollectionCase.WORKED_STATUSES, amount_overdue=0, dpd=0)
    paid = PAID.transition.many(cleared, reason=reason, closed_on=day, ptp_amount=None, ptp_due_on=None)
    _void_promises(paid, day)
    _events(paid, CaseEvent.Type.CASE_PAID, day, {"why": "arrears paid"})

    lapsed = CollectionCase.objects.filter(status=CollectionCase.Status.PTP, ptp_due_on__lt=day)
    # Called again the day a promise breaks.
    broken = BROKEN.transition.many(lapsed, reason=f"promise date passed unpaid by {day}", next_action_on=day)
    _void_promises(broken, day, status=PromiseToPay.Status.BROKEN)
    _events(broken, CaseEvent.Type.PTP_BROKEN, day, {})
    if broken:
        events_emit_sql(
            "collection_case.ptp_broken",
            aggregate_type="loans.loan",
            select_sql="""SELECT loan_id, jsonb_build_object('case_id', id::text, 'loan_id', loan_id::text,
                              'business_date', %(day)s::text)
                          FROM collections_collectioncase WHERE id = ANY(%(ids)s)""",
            params={"day": day, "ids": broken},
            business_date=day,
        )

    opened = [
        row[0]
        for row in _rows(
            _OPEN_SQL,
            {
                "day": day,
                "open": open_statuses,
                "opened": str(CollectionCase.Status.OPEN),
                "live": [str(s) for s in Loan.LIVE_STATUSES],
                "open_dpd": max(1, config.COLLECTIONS_OPEN_DPD),
                "event": str(CaseEvent.Type.CASE_CREATED),
            },
        )
    ]
    record_many("collection_case.opened", object_type="collections.collectioncase", object_ids=opened, reason=reason)
    assigned = cases_assign_round_robin(day=day)
    return {
        "cases_refreshed": refreshed,
        "cases_bucket_changed": bucket_changes,
        "cases_closed": len(closed),
        "cases_paid": len(paid),
        "promises_broken": len(broken),
        "cases_opened": len(opened),
        "cases_assigned": len(assigned),
    }
