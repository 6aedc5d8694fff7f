"""One collection case at a time: opening one by hand, logging actions and promises, assigning,
and what a payment, a recovery or the loan's end does to it.

Every status change is a CaseDoor: the django-fsm transition and its audit row (through
AuditedTransition, the door the set-based sync in case_sync.py also takes) plus the CaseEvent
the case's history shows. Callers hold the case's row lock (`_lock`).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from constance import config
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.services import record
from apps.audit.transitions import AuditedTransition
from apps.collections.assignment import cases_assign_round_robin
from apps.collections.models import CaseAction, CaseEvent, CollectionCase, PromiseToPay
from apps.collections.selectors import cases_visible_to
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput, NotFound, found
from apps.core.money import ZERO
from apps.core.roles import Role
from apps.loans.models import INSTALLMENT_OWED_SQL, Loan
from apps.repayments.services import parse_amount

Case = CollectionCase


@dataclass(frozen=True)
class CaseDoor:
    """A case transition with its audit action and the CaseEvent it writes."""

    transition: AuditedTransition
    event: str

    def one(self, case, *, actor=None, reason="", data=None, day=None, **kwargs) -> CollectionCase:
        """`kwargs` go to the transition method; `day` is the business date of the CaseEvent."""
        self.transition.one(case, actor=actor, reason=reason, **kwargs)
        case_event(case, self.event, actor=actor, data=data, on=day)
        return case


START = CaseDoor(AuditedTransition(Case.start, "collection_case.started"), CaseEvent.Type.CASE_ACTION_LOGGED)
PROMISED = CaseDoor(AuditedTransition(Case.promise, "collection_case.promised"), CaseEvent.Type.PTP_PROMISE_SET)
KEPT = CaseDoor(AuditedTransition(Case.keep_promise, "collection_case.ptp_kept"), CaseEvent.Type.PTP_KEPT)
BROKEN = CaseDoor(
    AuditedTransition(Case.break_promise, "collection_case.ptp_broken", sets={"ptp_amount": None, "ptp_due_on": None}),
    CaseEvent.Type.PTP_BROKEN,
)
PAID = CaseDoor(AuditedTransition(Case.mark_paid, "collection_case.paid"), CaseEvent.Type.CASE_PAID)
ESCALATED = CaseDoor(AuditedTransition(Case.escalate, "collection_case.escalated"), CaseEvent.Type.CASE_ESCALATED)
CLOSED = CaseDoor(AuditedTransition(Case.close, "collection_case.closed"), CaseEvent.Type.CASE_CLOSED)


def case_event(case, kind: str, *, actor=None, data=None, on=None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        type=kind,
        business_date=on or get_business_date(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data or {},
    )


# ---- what is overdue, now ---------------------------------------------------------------------

_ARREARS_SQL = f"""
SELECT coalesce(sum({INSTALLMENT_OWED_SQL}), 0), coalesce(%(day)s - min(due_date), 0)
FROM loans_installment WHERE loan_id = %(loan)s AND status <> 'PAID' AND due_date < %(day)s
"""  # noqa: S608 (a constant expression)


def loan_arrears(loan_id, day: datetime.date) -> tuple[Decimal, int]:
    """(amount overdue, DPD) of one loan on `day`: what is owed on installments due before it."""
    with connection.cursor() as cursor:
        cursor.execute(_ARREARS_SQL, {"loan": loan_id, "day": day})
        amount, dpd = cursor.fetchone()
    return Decimal(amount).quantize(ZERO), int(dpd)


def _lock(case_id) -> CollectionCase:
    case = found(
        CollectionCase.objects.select_for_update().select_related("loan").filter(pk=case_id).first(),
        "Collection case not found.",
    )
    return case


def _open_case_of(loan_id) -> CollectionCase | None:
    return (
        CollectionCase.objects.select_for_update()
        .filter(loan_id=loan_id, status__in=CollectionCase.OPEN_STATUSES)
        .first()
    )


# ---- opening by hand --------------------------------------------------------------------------


@transaction.atomic
def case_open(*, loan_id, actor) -> tuple[CollectionCase, bool]:
    """The loan's open case, or a new one (assigned round-robin) when it has arrears.
    Returns (case, created). The loan's row lock makes two openings of one loan meet here."""
    loan = found(Loan.objects.select_for_update().filter(pk=loan_id).first(), "Loan not found.", field="loan_id")
    existing = _open_case_of(loan.pk)
    if existing is not None:
        return existing, False
    today = get_business_date()
    amount, dpd = loan_arrears(loan.pk, today)
    if not loan.is_live or amount <= 0:
        raise Conflict("Nothing is overdue on this loan.", code="nothing_overdue")
    case = CollectionCase.objects.create(
        loan=loan,
        business_id=loan.business_id,
        bucket=loan.asset_classification,
        dpd=dpd,
        amount_overdue=amount,
        principal_outstanding=loan.outstanding_principal,
        opened_on=today,
        next_action_on=today,
    )
    record("collection_case.opened", obj=case, after={"loan": str(loan.pk), "dpd": dpd}, actor=actor)
    case_event(case, CaseEvent.Type.CASE_CREATED, actor=actor, data={"dpd": dpd, "amount_overdue": str(amount)})
    cases_assign_round_robin(case_ids=[case.pk], day=today)
    case.refresh_from_db()
    return case, True


# ---- the collector's work ---------------------------------------------------------------------


def _promise_terms(case: CollectionCase, amount, due_on, today) -> tuple[Decimal, datetime.date]:
    if (amount in (None, "")) != (due_on in (None, "")):
        raise InvalidInput(
            "A promise needs both an amount and a date.", field="ptp_amount" if amount in (None, "") else "ptp_due_on"
        )
    amount = parse_amount(amount, field="ptp_amount")
    if amount <= 0:
        raise InvalidInput("A promise must be more than zero.", field="ptp_amount")
    if amount > case.amount_overdue:
        raise InvalidInput(f"At most the amount overdue, {case.amount_overdue}.", field="ptp_amount")
    if isinstance(due_on, str):
        try:
            due_on = datetime.date.fromisoformat(due_on)
        except ValueError:
            raise InvalidInput("A date, YYYY-MM-DD.", field="ptp_due_on") from None
    latest = today + datetime.timedelta(days=config.PTP_MAX_DAYS)
    if not today <= due_on <= latest:
        raise InvalidInput(f"Between {today} and {latest} (PTP_MAX_DAYS ahead).", field="ptp_due_on")
    return amount, due_on


def visible_case(case_id, user) -> CollectionCase:
    """The case for one who may see it: OFFICER/ADMIN any, a COLLECTOR only their own (404
    otherwise, so a case's existence does not leak)."""
    case = found(cases_visible_to(user).filter(pk=case_id).first(), "Collection case not found.")
    return case


@transaction.atomic
def case_action_log(
    *, case_id, actor, type: str, outcome: str, notes: str = "", ptp_amount=None, ptp_due_on=None
) -> CaseAction:
    visible_case(case_id, actor)
    case = _lock(case_id)
    if type not in CaseAction.Type.values:
        raise InvalidInput(f"One of {', '.join(CaseAction.Type.values)}.", field="type")
    if outcome not in CaseAction.Outcome.values:
        raise InvalidInput(f"One of {', '.join(CaseAction.Outcome.values)}.", field="outcome")
    if not case.is_open:
        raise Conflict(f"The case is {case.status}.", code="case_closed")
    today = get_business_date()
    wants_promise = ptp_amount not in (None, "") or ptp_due_on not in (None, "")
    terms = _promise_terms(case, ptp_amount, ptp_due_on, today) if wants_promise else None
    if terms and case.status not in (Case.Status.OPEN, Case.Status.IN_PROGRESS, Case.Status.BROKEN_PTP):
        raise Conflict(
            "A promise is already pending on this case."
            if case.status == Case.Status.PTP
            else f"The case is {case.status}.",
            code="case_state",
        )
    promise = None
    if terms:
        promise = PromiseToPay.objects.create(
            case=case, amount=terms[0], due_on=terms[1], promised_on=today, made_by=_user(actor)
        )
    action = CaseAction.objects.create(
        case=case, type=type, outcome=outcome, notes=notes, promise=promise, business_date=today, actor=_user(actor)
    )
    data = {"action": str(action.pk), "type": type, "outcome": outcome}
    if case.status == Case.Status.OPEN and not terms:
        START.one(case, actor=actor, data=data, day=today)
    else:
        case_event(case, CaseEvent.Type.CASE_ACTION_LOGGED, actor=actor, data=data, on=today)
    if terms:
        PROMISED.one(
            case,
            actor=actor,
            amount=terms[0],
            due_on=terms[1],
            data={"amount": str(terms[0]), "due_on": terms[1].isoformat(), "promise": str(promise.pk)},
            day=today,
        )
    case.last_action_at = timezone.now()
    case.next_action_on = terms[1] if terms else today + datetime.timedelta(days=1)
    case.save(update_fields=["last_action_at", "next_action_on", "updated_at"])
    return action


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# ---- assignment by hand -----------------------------------------------------------------------


def _collector(collector_id) -> User:
    collector = User.objects.filter(pk=collector_id).first() if collector_id else None
    if collector is None or collector.role != Role.COLLECTOR:
        raise InvalidInput("A COLLECTOR's id.", field="collector_id")
    if not collector.is_active or collector.is_frozen:
        raise InvalidInput("This collector is not active.", field="collector_id")
    return collector


@transaction.atomic
def cases_reassign(*, case_ids, collector_id, actor) -> int:
    """OFFICER/ADMIN give open cases to a collector (one case from the API, many from the
    admin's bulk action): audited and written to each case's history."""
    collector = _collector(collector_id)
    today = get_business_date()
    cases = list(CollectionCase.objects.select_for_update().filter(pk__in=case_ids).order_by("pk"))
    if len(cases) != len(set(case_ids)):
        raise NotFound("Collection case not found.")
    moved = 0
    for case in cases:
        if not case.is_open:
            raise Conflict(f"Case {case.pk} is {case.status}.", code="case_closed")
        if case.assigned_to_id == collector.pk:
            continue
        before = {"assigned_to": str(case.assigned_to_id) if case.assigned_to_id else None}
        case.assigned_to, case.assigned_at = collector, timezone.now()
        case.save(update_fields=["assigned_to", "assigned_at", "updated_at"])
        record(
            "collection_case.assigned", obj=case, before=before, after={"assigned_to": str(collector.pk)}, actor=actor
        )
        case_event(
            case,
            CaseEvent.Type.CASE_ASSIGNED,
            actor=actor,
            data={**before, "to": str(collector.pk), "to_name": collector.username, "by": "hand"},
            on=today,
        )
        moved += 1
    return moved


def case_assign(*, case_id, collector_id, actor) -> CollectionCase:
    cases_reassign(case_ids=[case_id], collector_id=collector_id, actor=actor)
    return CollectionCase.objects.select_related("loan").get(pk=case_id)


# ---- what the rest of the book does to a case ---------------------------------------------------


def _void_pending_promise(case, on) -> None:
    PromiseToPay.objects.filter(case=case, status=PromiseToPay.Status.PENDING).update(
        status=PromiseToPay.Status.VOID, settled_on=on, updated_at=timezone.now()
    )


def case_payment_applied(*, loan_id, amount: Decimal, day: datetime.date, repayment_id: str) -> CollectionCase | None:
    """A repayment reached the loan (an outbox event): the case records it, a promise it
    fulfils is kept (back to IN_PROGRESS), and cleared arrears make the case PAID."""
    case = _open_case_of(loan_id)
    if case is None:
        return None
    # Every open case keeps the loan's arrears and principal current (the aging report reads
    # them), an escalated one too; only the worked ones go on to promises and PAID.
    overdue, dpd = loan_arrears(loan_id, day)
    case.amount_overdue, case.dpd = overdue, dpd
    case.principal_outstanding = Loan.objects.values_list("outstanding_principal", flat=True).get(pk=loan_id)
    case.save(update_fields=["amount_overdue", "dpd", "principal_outstanding", "updated_at"])
    case_event(
        case,
        CaseEvent.Type.CASE_PAYMENT_APPLIED,
        data={"amount": str(amount), "repayment": repayment_id, "amount_overdue": str(overdue)},
        on=day,
    )
    if case.status == Case.Status.ESCALATED:
        return case
    if case.status == Case.Status.PTP:
        promise = PromiseToPay.objects.select_for_update().filter(case=case, status=PromiseToPay.Status.PENDING).first()
        if promise is not None:
            promise.amount_paid += amount
            kept = promise.amount_paid >= promise.amount or overdue == 0
            if kept:
                promise.status, promise.settled_on = PromiseToPay.Status.KEPT, day
            promise.save(update_fields=["amount_paid", "status", "settled_on", "updated_at"])
            if kept:
                KEPT.one(case, data={"promise": str(promise.pk), "paid": str(promise.amount_paid)}, day=day)
    if overdue == 0:
        _void_pending_promise(case, day)
        PAID.one(case, on=day, day=day, data={"repayment": repayment_id})
    return case


def case_escalate_for_loan(*, loan_id, actor, reason: str) -> CollectionCase | None:
    """Recovery started on the loan: its case leaves the collectors for recovery."""
    case = _open_case_of(loan_id)
    if case is None or case.status not in Case.WORKED_STATUSES:
        return case
    today = get_business_date()
    _void_pending_promise(case, today)
    return ESCALATED.one(case, actor=actor, reason=reason, data={"reason": reason}, day=today)


def case_close_for_loan(*, loan_id, day: datetime.date, why: str) -> CollectionCase | None:
    """The loan closed or was written off: its open case closes."""
    case = _open_case_of(loan_id)
    if case is None:
        return None
    _void_pending_promise(case, day)
    return CLOSED.one(case, on=day, day=day, reason=why, data={"why": why})
