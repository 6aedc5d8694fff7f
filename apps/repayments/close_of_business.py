"""The nightly close of business for one business date, set-based (a few SQL statements over
the whole book, interest posted to the ledger in chunks), idempotent when run again:

1. interest falling due is accrued (Dr interest receivable, Cr interest income; for an NPA
   loan Cr interest suspense) — one journal entry per loan and business date;
1b. penal charges run on every overdue EMI (apps/repayments/penal.py): `penal_rate_pct / 365`
   a day on the overdue principal and interest, simple, into `penalty_due` (Dr charges
   receivable, Cr penal income; for an NPA loan Cr penal suspense);
2. past-due installments are OVERDUE; DPD = days since the oldest unpaid due date; a loan with
   DPD > 0 is OVERDUE, one back at 0 is ACTIVE;
3. classification by DPD, NPA borrower-wide and sticky until every arrear is paid; a loan
   turning NPA is DEFAULTED and its unrealised interest moves to suspense; a DEFAULTED loan
   with every arrear paid is upgraded to ACTIVE;
4. a history row per classification change, audit rows per status change, counts returned.

Status changes go through the loan FSM's set-based door (apps/loans/transitions.py): one UPDATE
per source state the transition allows, with the audit rows its one-row path writes. The live
set and the RBI buckets come from their one definitions (Loan.LIVE_STATUSES, delinquency.BUCKETS)
and reach the SQL as parameters.
"""

import datetime
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.services import record_many
from apps.core.business_date import business_day_closed
from apps.core.outbox import event_emit, events_emit_sql
from apps.ledger import chart
from apps.ledger.bulk import journal_post_many
from apps.ledger.models import STRIPES
from apps.loans.models import Loan
from apps.loans.transitions import LOAN_CURRENT, LOAN_DEFAULTED, LOAN_OVERDUE, LOAN_UPGRADED
from apps.repayments.delinquency import BEYOND, NPA_AFTER, classification_sql
from apps.repayments.loan_chunks import CHUNK, LIVE, WHOLE_BOOK, Partition, add_to_loans, walk_loan_chunks
from apps.repayments.loan_chunks import execute as _execute
from apps.repayments.loan_chunks import night_entry as _entry
from apps.repayments.loan_chunks import rows as _rows
from apps.repayments.models import CloseOfBusinessPart
from apps.repayments.penal import accrue_penal_charges

logger = logging.getLogger(__name__)
PART_TASK = "repayments.close_of_business_part"  # apps/repayments/tasks.py
POLL_SECONDS = 0.5


# Loans with interest falling due and not yet accrued (walked in chunks: flat memory, no re-scan).
_CANDIDATES_SQL = """
SELECT i.loan_id FROM loans_installment i JOIN loans_loan l ON l.id = i.loan_id
WHERE NOT i.interest_accrued AND i.due_date <= %(day)s AND {part}
"""


# Lock order is loan, then installments: the order every payment takes, so a payment arriving
# during the close of business waits instead of deadlocking.
_LOCK_LOANS_SQL = """
SELECT id, borrower_id, asset_classification = %(npa)s FROM loans_loan
WHERE id = ANY(%(ids)s) AND status = ANY(%(live)s) ORDER BY id FOR UPDATE
"""

_DUE_SQL = """
SELECT id, loan_id, interest_due - interest_paid FROM loans_installment
WHERE loan_id = ANY(%(ids)s) AND due_date <= %(day)s AND NOT interest_accrued
ORDER BY loan_id, number FOR UPDATE
"""


def _accrue_chunk(day: datetime.date, loan_ids: list) -> tuple[int, int]:
    loans = {row[0]: (row[1], row[2]) for row in _rows(_LOCK_LOANS_SQL, {**LIVE, "npa": str(BEYOND), "ids": loan_ids})}
    if not loans:
        return 0, 0
    rows = _rows(_DUE_SQL, {"day": day, "ids": list(loans)})
    per_loan: dict = defaultdict(Decimal)
    for _, loan_id, amount in rows:
        per_loan[loan_id] += amount
    specs = []
    for loan_id, amount in per_loan.items():
        borrower_id, npa = loans[loan_id]
        if amount <= 0:
            continue
        specs.append(
            _entry(
                day,
                "INTEREST_DUE",
                "interest",
                loan_id,
                borrower_id,
                amount,
                debit=chart.INTEREST_RECEIVABLE,
                credit=chart.INTEREST_SUSPENSE if npa else chart.INTEREST_INCOME,
                memo="Interest falling due" + (" (NPA: to suspense)" if npa else ""),
            )
        )
    entries = journal_post_many(specs, business_date=day)
    _execute(
        "UPDATE loans_installment SET interest_accrued = true, updated_at = now() WHERE id = ANY(%(ids)s)",
        {"ids": [row[0] for row in rows]},
    )
    add_to_loans("outstanding_interest", "interest_suspense", per_loan, {pk: loans[pk][1] for pk in per_loan})
    return len(rows), entries


def accrue_interest(day: datetime.date, part: Partition = WHOLE_BOOK) -> dict:
    accrued, entries = walk_loan_chunks(
        "cob_due_loans", _CANDIDATES_SQL.format(part=part.where("l")), {"day": day}, lambda ids: _accrue_chunk(day, ids)
    )
    return {"installments_accrued": accrued, "interest_entries": entries}


def update_delinquency(day: datetime.date, part: Partition = WHOLE_BOOK) -> dict:
    params = {**LIVE, "day": day}
    # In parts, each part reads the oldest unpaid due date of its own loans only.
    narrowed = "" if part.count == 1 else f"AND loan_id IN (SELECT l.id FROM loans_loan l WHERE {part.where('l')})"
    dpd_set = _execute(
        f"""WITH oldest AS (
                SELECT loan_id, min(due_date) AS due FROM loans_installment
                WHERE status <> 'PAID' AND due_date < %(day)s {narrowed} GROUP BY loan_id)
            UPDATE loans_loan l SET dpd = %(day)s - oldest.due, updated_at = now()
            FROM oldest WHERE l.id = oldest.loan_id AND l.status = ANY(%(live)s) AND l.dpd <> %(day)s - oldest.due
              AND {part.where("l")}""",
        params,
    )
    dpd_cleared = _execute(
        f"""UPDATE loans_loan l SET dpd = 0, updated_at = now()
            WHERE l.status = ANY(%(live)s) AND l.dpd > 0 AND {part.where("l")} AND NOT EXISTS (
                SELECT 1 FROM loans_installment i
                WHERE i.loan_id = l.id AND i.status <> 'PAID' AND i.due_date < %(day)s)""",
        params,
    )
    reason = f"close of business {day}"
    to_overdue = LOAN_OVERDUE.many(part.loans(Loan.objects.filter(dpd__gt=0)), reason=reason)
    to_active = LOAN_CURRENT.many(part.loans(Loan.objects.filter(dpd=0)), reason=reason)
    return {
        "dpd_updated": dpd_set + dpd_cleared,
        "loans_overdue": len(to_overdue),
        "loans_current": len(to_active),
    }


_CLASSIFY_CASE, _CLASSIFY_PARAMS = classification_sql("l.dpd")
# {part} and {part_n}: Partition.where on the two readings of the loans table.
_CLASSIFY_SQL = f"""
WITH npa_borrowers AS (
    SELECT DISTINCT n.borrower_id FROM loans_loan n
    WHERE n.status = ANY(%(live)s) AND {{part_n}}
      AND (n.dpd > %(npa_after)s OR (n.asset_classification = %(npa)s AND (n.dpd > 0 OR n.outstanding_penalty > 0)))
), target AS (
    SELECT l.id, l.asset_classification AS old, l.dpd,
           CASE WHEN nb.borrower_id IS NOT NULL THEN %(npa)s ELSE {_CLASSIFY_CASE} END AS new
    FROM loans_loan l LEFT JOIN npa_borrowers nb ON nb.borrower_id = l.borrower_id
    WHERE l.status = ANY(%(live)s) AND {{part}}
), changed AS (
    -- `l.asset_classification = target.old` is checked again on a row another transaction
    -- changed meanwhile (PostgreSQL re-reads it after the lock): that row is left alone, so no
    -- second history row or event is written for it.
    UPDATE loans_loan l SET asset_classification = target.new, updated_at = now()
    FROM target WHERE l.id = target.id AND target.new <> target.old AND l.asset_classification = target.old
    RETURNING l.id, target.old, target.new, target.dpd
), history AS (
    INSERT INTO repayments_loanclassificationhistory
        (loan_id, business_date, from_classification, to_classification, dpd, created_at)
    SELECT id, %(day)s, old, new, dpd, now() FROM changed
)
SELECT id, old, new FROM changed
"""


def classify_book(day: datetime.date, part: Partition = WHOLE_BOOK) -> dict:
    changed = _rows(
        _CLASSIFY_SQL.format(part=part.where("l"), part_n=part.where("n")),
        {**LIVE, **_CLASSIFY_PARAMS, "npa": str(BEYOND), "npa_after": NPA_AFTER, "day": day},
    )
    for old, new in {(row[1], row[2]) for row in changed}:
        record_many(
            "loan.classified",
            object_type="loans.loan",
            object_ids=[row[0] for row in changed if (row[1], row[2]) == (old, new)],
            before={"asset_classification": old},
            after={"asset_classification": new},
            reason=f"close of business {day}",
        )
    if changed:
        # For partners (webhooks), one event per loan, written by the statement that reads them.
        events_emit_sql(
            "loan.classification_changed",
            aggregate_type="loans.loan",
            select_sql="""SELECT t.id, jsonb_build_object('loan_id', t.id::text, 'from', t.old, 'to', t.new,
                              'business_date', %(day)s::text)
                          FROM unnest(%(ids)s::uuid[], %(olds)s::text[], %(news)s::text[]) AS t (id, old, new)""",
            params={
                "day": day,
                "ids": [row[0] for row in changed],
                "olds": [row[1] for row in changed],
                "news": [row[2] for row in changed],
            },
            business_date=day,
        )
    to_npa = [row[0] for row in changed if row[2] == BEYOND]
    suspense = move_interest_to_suspense(day, to_npa)
    defaulted = LOAN_DEFAULTED.many(
        part.loans(Loan.objects.filter(asset_classification=BEYOND)), reason=f"classified NPA on {day}"
    )
    # Only a loan this run lifted out of NPA is upgraded: a loan DEFAULTED for another reason
    # (a second bounce, an ADMIN override) stays DEFAULTED whatever its arrears.
    lifted = [row[0] for row in changed if row[1] == BEYOND and row[2] != BEYOND]
    upgraded = LOAN_UPGRADED.many(
        Loan.objects.filter(pk__in=lifted, dpd=0, outstanding_penalty=0), reason=f"every arrear paid by {day}"
    )
    return {
        "classification_changes": len(changed),
        "to_npa": len(to_npa),
        "loans_defaulted": len(defaulted),
        "loans_upgraded": len(upgraded),
        "suspense_entries": suspense,
    }


def move_interest_to_suspense(day: datetime.date, loan_ids: list) -> int:
    """Interest accrued as income but unpaid when a loan turns NPA is reversed into suspense."""
    rows = _rows(
        """SELECT id, borrower_id, outstanding_interest - interest_suspense FROM loans_loan
           WHERE id = ANY(%(ids)s) AND outstanding_interest > interest_suspense FOR UPDATE""",
        {"ids": loan_ids},
    )
    posted = 0
    stripe = random.randrange(STRIPES)  # one for the whole transaction (journal_post_many)
    for start in range(0, len(rows), CHUNK):  # bounded memory on a night many loans turn NPA
        chunk = rows[start : start + CHUNK]
        specs = [
            _entry(
                day,
                "SUSPENSE",
                "suspense",
                loan_id,
                borrower_id,
                amount,
                debit=chart.INTEREST_INCOME,
                credit=chart.INTEREST_SUSPENSE,
                memo="NPA: unrealised interest to suspense",
            )
            for loan_id, borrower_id, amount in chunk
        ]
        posted += journal_post_many(specs, business_date=day, stripe=stripe)
        _execute(
            "UPDATE loans_loan SET interest_suspense = outstanding_interest WHERE id = ANY(%(ids)s)",
            {"ids": [row[0] for row in chunk]},
        )
    return posted


def mark_installments_overdue(day: datetime.date, part: Partition = WHOLE_BOOK) -> dict:
    """Last in the transaction: the loans are written first, the lock order payments take."""
    marked = _execute(
        f"""UPDATE loans_installment i SET status = 'OVERDUE', updated_at = now()
            FROM loans_loan l
            WHERE l.id = i.loan_id AND l.status = ANY(%(live)s) AND {part.where("l")}
              AND i.status IN ('PENDING', 'PARTIALLY_PAID') AND i.due_date < %(day)s""",
        {**LIVE, "day": day},
    )
    return {"installments_overdue": marked}


def close_part(
    day: datetime.date, part: Partition = WHOLE_BOOK, *, heartbeat=lambda: None, close_day: bool = False
) -> dict:
    """Every step of the night for one part of the book, in the order of the whole; `heartbeat`
    between steps (the worker's lease on the part). `close_day`: the day is recorded closed in
    the last step's transaction (the whole book in one process)."""
    counts = _timed("interest", accrue_interest, day, part)
    heartbeat()
    counts.update(_timed("penal charges", accrue_penal_charges, day, part))
    heartbeat()
    with transaction.atomic():
        counts.update(_timed("delinquency", update_delinquency, day, part))
        counts.update(_timed("classification", classify_book, day, part))
        counts.update(_timed("overdue marks", mark_installments_overdue, day, part))
        if close_day:
            _day_closed(day)
    return counts


def _timed(name: str, step, day: datetime.date, part: Partition) -> dict:
    """Run one step of the night on one part and log how long it took: which step grows is the
    first thing to know when a night runs long (docs/scaling.md)."""
    began = time.monotonic()
    counts = step(day, part)
    logger.info(
        "close of business %s, part %s of %s: %s in %.2f s",
        day,
        part.index + 1,
        part.count,
        name,
        time.monotonic() - began,
        extra={"step": name, "part": part.index, "parts": part.count},
    )
    return counts


def _day_closed(day: datetime.date) -> None:
    business_day_closed(day=day)
    # Higher apps finish the night from here (collections syncs its cases), after commit.
    event_emit(
        "business_day.closed",
        aggregate=("core.businessdate", day.isoformat()),
        payload={"business_date": day.isoformat()},
        business_date=day,
    )


def close_of_business(day: datetime.date, *, parts: int | None = None) -> dict:
    """Close `day`: the whole book in this process, or (`parts` > 1, default COB_PARTS) in parts
    that other worker processes help with (close_in_parts). The same rows either way."""
    parts = parts or settings.COB_PARTS
    if parts > 1:
        return close_in_parts(day, parts)
    return close_part(day, close_day=True)


# ---- The night in parts, over worker processes -------------------------------------------------
#
# The run writes one CloseOfBusinessPart row per part, asks the workers for help (one message per
# part beyond its own, by task name), and works through the parts itself. Any process claims a
# part with SKIP LOCKED, runs close_part and marks it DONE; a part whose worker died is claimed
# again once its lease runs out, and one that fails is run again on its own (COB_PART_ATTEMPTS).
# When every part is DONE the run closes the day. No result backend is needed, a helper that
# arrives late finds nothing to claim, and with no helper at all the run does every part itself.

PART = CloseOfBusinessPart.Status


class LeaseLost(Exception):
    """This worker's claim on a part was taken over (its lease ran out, or the run was given up)."""


def close_in_parts(day: datetime.date, parts: int) -> dict:
    run_id = uuid.uuid4()
    # A run of any day left unfinished (its coordinator died, or gave up) is superseded: its
    # parts can no longer be claimed, and a worker still on one stops at its next heartbeat.
    CloseOfBusinessPart.objects.filter(status__in=(PART.PENDING, PART.RUNNING)).update(
        status=PART.FAILED, error=f"superseded by run {run_id}"
    )
    CloseOfBusinessPart.objects.bulk_create(
        [CloseOfBusinessPart(run_id=run_id, business_date=day, index=i, parts=parts) for i in range(parts)]
    )
    _ask_for_help(run_id, min(parts - 1, settings.COB_HELPERS))
    while True:
        parts_work(run_id)
        rows = list(CloseOfBusinessPart.objects.filter(run_id=run_id))
        failed = [row for row in rows if row.status == PART.FAILED]
        if failed:
            # Given up: nobody may go on with the rest of this run.
            CloseOfBusinessPart.objects.filter(run_id=run_id, status__in=(PART.PENDING, PART.RUNNING)).update(
                status=PART.FAILED, error=f"the run gave up: part {failed[0].index} failed"
            )
            raise RuntimeError(f"close of business {day}: {failed[0]} failed: {failed[0].error}")
        if all(row.status == PART.DONE for row in rows):
            break
        time.sleep(POLL_SECONDS)  # parts other workers hold; theirs, or their leases, end
    with transaction.atomic():
        _day_closed(day)
    totals: Counter = Counter()
    for row in rows:
        totals.update(row.counts)
    return dict(totals)


def _ask_for_help(run_id, helpers: int) -> None:
    """One message per helper wanted. A broker that is down costs the help, not the night: this
    process does every part itself."""
    try:
        for _ in range(helpers):
            current_app.send_task(PART_TASK, args=[str(run_id)])
    except Exception:
        logger.warning("close of business %s: could not ask the workers for help", run_id, exc_info=True)


def _claim(run_id, worker: str) -> CloseOfBusinessPart | None:
    now = timezone.now()
    with transaction.atomic():
        # A part whose lease ran out on its last attempt (its worker died each time, e.g. killed
        # for memory) is not handed out again: it fails, and so does the run.
        CloseOfBusinessPart.objects.filter(
            run_id=run_id, status=PART.RUNNING, lease_until__lt=now, attempts__gte=settings.COB_PART_ATTEMPTS
        ).update(status=PART.FAILED, error="its worker stopped renewing the lease on every attempt")
        row = (
            CloseOfBusinessPart.objects.select_for_update(skip_locked=True)
            .filter(Q(status=PART.PENDING) | Q(status=PART.RUNNING, lease_until__lt=now), run_id=run_id)
            .order_by("index")
            .first()
        )
        if row is not None:
            row.status, row.worker, row.attempts = PART.RUNNING, worker, row.attempts + 1
            row.started_at, row.lease_until = now, now + datetime.timedelta(seconds=settings.COB_PART_LEASE_SECONDS)
            row.save()
    return row


def _mine(row: CloseOfBusinessPart):
    """The part while this worker still holds it: `attempts` is the fencing token, so a worker
    whose claim was taken over (or whose run was given up) changes nothing of it."""
    return CloseOfBusinessPart.objects.filter(pk=row.pk, status=PART.RUNNING, attempts=row.attempts)


def _drop_if_lost() -> None:
    """After a part failed on a lost connection, drop it so the next query opens a new one (a
    worker's connection is its own; inside a caller's transaction nothing is dropped)."""
    if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
        connection.close()


def parts_work(run_id) -> int:
    """Claim and run parts of the run until none is left to claim; the parts this process did."""
    worker = f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"
    done = 0
    while (row := _claim(run_id, worker)) is not None:

        def renew(row=row):
            lease = timezone.now() + datetime.timedelta(seconds=settings.COB_PART_LEASE_SECONDS)
            if not _mine(row).update(lease_until=lease):
                raise LeaseLost(str(row))

        try:
            counts = close_part(row.business_date, Partition(row.index, row.parts), heartbeat=renew)
        except LeaseLost:
            logger.warning("close of business: %s was taken over; this worker stops it", row)
            continue
        except Exception as exc:
            logger.exception("close of business %s, part %s of %s failed", row.business_date, row.index, row.parts)
            _drop_if_lost()
            last = row.attempts >= settings.COB_PART_ATTEMPTS
            _mine(row).update(status=PART.FAILED if last else PART.PENDING, error=f"{type(exc).__name__}: {exc}"[:4000])
            continue
        if _mine(row).update(status=PART.DONE, counts=counts, error="", finished_at=timezone.now()):
            done += 1
    return done
