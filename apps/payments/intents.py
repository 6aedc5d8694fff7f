"""Payments the borrower starts on the rail, and what the rail's webhooks say became of them.

Opening one (`intent_open`) never calls the rail inside a transaction: the intent is written
first (our id is the reference the rail de-duplicates on), the rail is asked, and its answer is
written in a second short transaction. The Idempotency-Key is kept on the intent itself, so a
retry finds the same intent (and asks the rail again only if the first answer never came).

`payment.succeeded` books the money (`intent_paid`): to the loan's oldest dues first, and what
is more than the loan owes is parked as an unapplied credit, never lost. One UTR books once,
and an intent is paid once, whatever the number or order of the webhooks.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput, Unavailable, Unprocessable, found, required_reason
from apps.core.money import ZERO
from apps.core.screening import screen
from apps.ledger import chart
from apps.ledger.services import Line, journal_post, money_row_book, on_loan, source_of
from apps.loans.models import Loan
from apps.loans.selectors import loans_visible_to
from apps.payments.mandates import bounce_if_mandate_debit
from apps.payments.models import PaymentIntent, UnappliedCredit
from apps.payments.providers import RailUnavailable, get_collection_rail
from apps.payments.webhooks import applies
from apps.repayments.locks import lock_loan
from apps.repayments.models import OfflinePayment, Repayment
from apps.repayments.services import close_if_settled, owed_on_installments, parse_amount, pay_oldest_first

BORROWER_METHODS = (PaymentIntent.Method.UPI, PaymentIntent.Method.NETBANKING)


def _visible_loan(loan_id, actor) -> Loan:
    loan = found(loans_visible_to(actor).filter(pk=loan_id).first(), "Loan not found.")
    return loan


def _same_request(intent: PaymentIntent, loan: Loan, amount: Decimal, method: str) -> bool:
    return intent.loan_id == loan.pk and intent.amount == amount and intent.method == method


@transaction.atomic
def _record(loan: Loan, amount: Decimal, method: str, actor, key: str) -> tuple[PaymentIntent, bool]:
    loan = lock_loan(loan.pk, None)
    if not loan.is_live:
        raise Conflict(f"The loan is {loan.status}; it takes no payments.", code="loan_state")
    owed = owed_on_installments(loan)
    if amount > owed:
        raise InvalidInput(f"At most {owed} is outstanding on this loan.", field="amount")
    try:
        with transaction.atomic():
            intent = PaymentIntent.objects.create(
                loan=loan, amount=amount, method=method, created_by=actor, idempotency_key=key
            )
    except IntegrityError:  # the same key raced in from a second request: that one's intent
        return PaymentIntent.objects.get(created_by=actor, idempotency_key=key), False
    record(
        "payment_intent.created",
        obj=intent,
        after={"loan": str(loan.pk), "amount": str(amount), "method": method},
        actor=actor,
    )
    return intent, True


def intent_open(*, loan_id, amount, method: str, actor, idempotency_key: str = "") -> tuple[PaymentIntent, bool]:
    """Returns (intent, opened now); a replayed key returns the first intent and False."""
    loan = _visible_loan(loan_id, actor)
    amount = parse_amount(amount)
    if amount <= 0:
        raise InvalidInput("More than zero.", field="amount")
    if method not in BORROWER_METHODS:
        raise InvalidInput("UPI or NETBANKING.", field="method")
    key = (idempotency_key or "")[:255]
    earlier = PaymentIntent.objects.filter(created_by=actor, idempotency_key=key).first() if key else None
    if earlier is not None and not _same_request(earlier, loan, amount, method):
        raise Unprocessable("This Idempotency-Key was used for another payment.", code="idempotency_key_reused")
    if earlier is None:
        # Fraud rules (a burst of intents): before the intent's transaction, so an alert stays.
        screen("payment_intent.open", actor=actor, business_id=loan.business_id)
    intent, created = (earlier, False) if earlier is not None else _record(loan, amount, method, actor, key)
    if intent.provider_reference or intent.status != PaymentIntent.Status.CREATED:
        return intent, created
    # No transaction is open here: the rail is asked with the intent already committed.
    try:
        opened = get_collection_rail().open_collection(reference=str(intent.pk), amount=amount, method=method)
    except RailUnavailable as exc:
        with transaction.atomic():
            intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
            if intent.status == PaymentIntent.Status.CREATED and not intent.provider_reference:
                intent.fail(code="RAIL", reason=str(exc))
                intent.save()
                record("payment_intent.failed", obj=intent, after={"reason": str(exc)[:255]}, actor=actor)
        raise Unavailable("The payment rail could not open this payment; try again.", code="rail_unavailable") from None
    with transaction.atomic():
        intent = PaymentIntent.objects.select_for_update().get(pk=intent.pk)
        intent.provider_reference = opened.provider_reference
        intent.payment_url = opened.payment_url
        intent.expires_at = opened.expires_at
        intent.save(update_fields=["provider_reference", "payment_url", "expires_at", "updated_at"])
    return intent, created


# ---- what the rail's webhooks do --------------------------------------------------------------


def utrs_booked(utrs) -> set[str]:
    """Which of these bank references already have money on our books (a rail payment, an
    offline payment ops recorded, or any repayment): one query."""
    utrs = list(utrs)
    return set(
        PaymentIntent.objects.filter(utr__in=utrs)
        .values_list("utr", flat=True)
        .union(
            Repayment.objects.filter(external_reference__in=utrs).values_list("external_reference", flat=True),
            OfflinePayment.objects.filter(reference__in=utrs).values_list("reference", flat=True),
        )
    )


def utr_of(value) -> str:
    return str(value or "").strip()[:64]


def _park(loan: Loan, amount: Decimal, *, intent, utr: str, today) -> UnappliedCredit:
    """Money beyond what the loan owes: Dr bank collections / Cr borrower advances."""
    common = on_loan(loan)
    credit = UnappliedCredit(loan=loan, intent=intent, amount=amount, utr=utr, business_date=today)
    money_row_book(
        credit,
        entry_type="UNAPPLIED_CREDIT",
        lines=[
            Line(chart.BANK_COLLECTIONS, debit=amount, **common),
            Line(chart.BORROWER_ADVANCES, credit=amount, **common),
        ],
        key=f"unapplied-credit:{credit.pk}",
        memo=f"Received beyond what the loan owed (UTR {utr})",
    )
    record("payment.unapplied_credit", obj=credit, after={"amount": str(amount), "utr": utr, "loan": str(loan.pk)})
    return credit


# What `succeed` changes on an intent, and what the audit row and the event's result say of it
# (shared with the set-based applier in intents_bulk).
SUCCEEDED_FIELDS = ["status", "utr", "amount_received", "repayment", "updated_at"]


def succeeded_audit(intent: PaymentIntent, rows, left: Decimal) -> dict:
    return {"utr": intent.utr, "amount": str(intent.amount_received), "repayments": len(rows), "unapplied": str(left)}


def paid_result(rows, left: Decimal, credit=None) -> dict:
    return {
        "repayments": [str(row.pk) for row in rows],
        "unapplied": str(left),
        "credit": str(credit.pk) if credit else None,
    }


def intent_paid(*, intent_id, amount, utr: str) -> dict:
    """The rail collected `amount` for the intent under bank reference `utr`."""
    utr = utr_of(utr)
    if not utr:
        raise InvalidInput("A UTR is required.", field="utr")
    amount = parse_amount(amount)
    intent = found(
        PaymentIntent.objects.select_for_update().filter(pk=intent_id).first(), f"No payment intent {intent_id}."
    )
    if intent.status == PaymentIntent.Status.SUCCEEDED:
        return {"already": "paid", "utr": intent.utr}
    if utrs_booked([utr]):
        return {"already": "utr booked", "utr": utr}
    loan = lock_loan(intent.loan_id, None)
    today = get_business_date()
    channel = str(intent.method)
    rows, left = ([], amount)
    if loan.is_live:
        rows, left = pay_oldest_first(loan, amount, today=today, actor=None, channel=channel, reference=utr)
    credit = _park(loan, left, intent=intent, utr=utr, today=today) if left > ZERO else None
    intent.succeed(utr=utr, amount_received=amount, repayment=rows[0] if rows else None)
    intent.save(update_fields=SUCCEEDED_FIELDS)
    record("payment_intent.succeeded", obj=intent, after=succeeded_audit(intent, rows, left))
    if rows:
        close_if_settled(loan, today=today, actor=None)
    return paid_result(rows, left, credit)


def intent_failed(*, intent_id, code: str = "", reason: str = "") -> dict:
    intent = found(
        PaymentIntent.objects.select_for_update().filter(pk=intent_id).first(), f"No payment intent {intent_id}."
    )
    if intent.status not in (PaymentIntent.Status.CREATED, PaymentIntent.Status.PRESENTED):
        return {"already": str(intent.status)}
    intent.fail(code=code, reason=reason)
    intent.save()
    record("payment_intent.failed", obj=intent, after={"code": code, "reason": reason[:255]})
    bounce = bounce_if_mandate_debit(intent, code)
    return {"failed": str(intent.pk), "code": code, "bounce": bounce}


@applies("payment.succeeded")
def _apply_payment_succeeded(event) -> dict:
    data = event.data
    return intent_paid(intent_id=data.get("intent_id"), amount=data.get("amount"), utr=data.get("utr", ""))


@applies("payment.failed")
def _apply_payment_failed(event) -> dict:
    data = event.data
    return intent_failed(intent_id=data.get("intent_id"), code=str(data.get("return_code") or ""), reason="rail")


@transaction.atomic
def intents_expire_due(*, now=None) -> int:
    """Intents whose page timed out unpaid (CREATED past expires_at) are EXPIRED."""
    now = now or timezone.now()
    expired = 0
    for intent in PaymentIntent.objects.select_for_update(skip_locked=True).filter(
        status=PaymentIntent.Status.CREATED, expires_at__lt=now
    ):
        intent.expire()
        intent.save()
        record("payment_intent.expired", obj=intent, after={"status": intent.status})
        expired += 1
    return expired


# ---- ops settle a parked credit -----------------------------------------------------------------


def _lock_open_credit(credit_id) -> UnappliedCredit:
    credit = found(UnappliedCredit.objects.select_for_update().filter(pk=credit_id).first(), "Credit not found.")
    if credit.status != UnappliedCredit.Status.OPEN:
        raise Conflict(f"This credit is {credit.status}.", code="credit_settled")
    return credit


def _target_loan(credit: UnappliedCredit, loan_reference: str) -> Loan:
    """The credit's own loan, or another loan of the same borrower named by its reference."""
    reference = (loan_reference or "").strip().upper()
    if not reference:
        return lock_loan(credit.loan_id, None)
    target_id = Loan.objects.filter(reference=reference).values_list("pk", flat=True).first()
    if target_id is None:
        raise InvalidInput(f"No loan {reference}.", field="loan_reference")
    target = lock_loan(target_id, None)
    if target.borrower_id != credit.loan.borrower_id:
        raise InvalidInput("A loan of the same borrower.", field="loan_reference")
    return target


@transaction.atomic
def credit_apply(*, credit_id, actor, loan_reference: str = "", reason: str = "") -> UnappliedCredit:
    """Ops apply a parked credit to a loan's dues, oldest first: its own loan, or another live
    loan of the same borrower. The money comes out of borrower advances, not the bank (it
    arrived when it was parked). The loan must owe at least the credit."""
    credit = _lock_open_credit(credit_id)
    loan = _target_loan(credit, loan_reference)
    owed = owed_on_installments(loan) if loan.is_live else ZERO
    if owed < credit.amount:
        raise Conflict(
            f"{loan.reference} owes {owed}, less than the credit of {credit.amount}: refund it or choose another loan.",
            code="credit_exceeds_dues",
        )
    today = get_business_date()
    pay_oldest_first(
        loan,
        credit.amount,
        today=today,
        actor=actor,
        channel="CREDIT",
        reference=credit.utr,
        source_account=chart.BORROWER_ADVANCES,
    )
    credit.apply(by=actor, reason=reason or f"applied to {loan.reference}")
    credit.save()
    record(
        "payment.credit_applied",
        obj=credit,
        before={"status": "OPEN"},
        after={"status": credit.status, "loan": str(loan.pk)},
        actor=actor,
        reason=reason,
    )
    close_if_settled(loan, today=today, actor=actor)
    return credit


@transaction.atomic
def credit_refund(*, credit_id, actor, reason: str) -> UnappliedCredit:
    """Ops return a parked credit to the borrower: Dr borrower advances / Cr the disbursement
    bank, with a reason."""
    reason = required_reason(reason)
    credit = _lock_open_credit(credit_id)
    loan = credit.loan
    common = on_loan(loan)
    journal_post(
        entry_type="UNAPPLIED_CREDIT",
        lines=[
            Line(chart.BORROWER_ADVANCES, debit=credit.amount, **common),
            Line(chart.BANK_DISBURSEMENT, credit=credit.amount, **common),
        ],
        idempotency_key=f"unapplied-credit-refund:{credit.pk}",
        business_date=get_business_date(),
        memo=f"Refund of a credit (UTR {credit.utr})",
        loan_id=loan.pk,
        **source_of(credit),
        actor=actor,
    )
    credit.refund(by=actor, reason=reason)
    credit.save()
    record(
        "payment.credit_refunded",
        obj=credit,
        before={"status": "OPEN"},
        after={"status": credit.status},
        actor=actor,
        reason=reason,
    )
    return credit
