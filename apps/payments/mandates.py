"""Mandates: the borrower authorises the lender to debit their account for each installment
(NACH or UPI AutoPay); the `mandate_presentation` job presents each installment falling due
once; a debit that fails with a NACH return code is that installment's bounce.

As with intents, the rail is asked only between two short transactions, never inside one.
"""

import datetime
from decimal import ROUND_CEILING, Decimal

from django.db import IntegrityError, connection, transaction

from apps.audit.services import record
from apps.core.errors import Conflict, InvalidInput, Unavailable, found
from apps.kyc.models import BankAccount
from apps.loans.models import INSTALLMENT_OWED_SQL, Installment
from apps.loans.selectors import loans_visible_to
from apps.payments.models import Mandate, PaymentIntent
from apps.payments.providers import RailUnavailable, get_collection_rail
from apps.payments.webhooks import applies
from apps.repayments.locks import lock_loan
from apps.repayments.models import NachReturnCode
from apps.repayments.services import emi_bounce

# The most one debit may take: the EMI with room for charges, in whole rupees.
MAX_AMOUNT_FACTOR = Decimal("1.5")


def live_mandate(loan) -> Mandate | None:
    return Mandate.objects.filter(loan=loan, status__in=Mandate.LIVE_STATUSES).select_related("bank_account").first()


@transaction.atomic
def _record(*, loan_id, bank_account_id, mandate_type, actor) -> Mandate:
    loan = lock_loan(loan_id, actor)
    if not loan.is_live:
        raise Conflict(f"The loan is {loan.status}.", code="loan_state")
    account = BankAccount.objects.filter(pk=bank_account_id, business_id=loan.business_id).first()
    if account is None:
        raise InvalidInput("A bank account of this loan's business.", field="bank_account_id")
    if account.status != BankAccount.Status.VERIFIED:
        raise InvalidInput(f"The account is {account.status}; a VERIFIED one is needed.", field="bank_account_id")
    schedule = loan.installments.order_by("number")
    first_unpaid = schedule.exclude(status=Installment.Status.PAID).first()
    if first_unpaid is None:
        raise Conflict("Nothing is left to debit on this loan.", code="nothing_owed")
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                loan=loan,
                bank_account=account,
                type=mandate_type,
                max_amount=(loan.emi * MAX_AMOUNT_FACTOR).quantize(Decimal("1"), rounding=ROUND_CEILING),
                start_date=first_unpaid.due_date,
                end_date=schedule.last().due_date + datetime.timedelta(days=30),
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict("This loan already has a live mandate.", code="mandate_exists") from None
    record("mandate.created", obj=mandate, after={"loan": str(loan.pk), "type": mandate_type}, actor=actor)
    return mandate


def mandate_create(*, loan_id, bank_account_id, type: str, actor) -> Mandate:
    if type not in Mandate.Type.values:
        raise InvalidInput("NACH or UPI_AUTOPAY.", field="type")
    mandate = _record(loan_id=loan_id, bank_account_id=bank_account_id, mandate_type=type, actor=actor)
    try:
        opened = get_collection_rail().register_mandate(
            reference=str(mandate.pk), mandate_type=type, max_amount=mandate.max_amount
        )
    except RailUnavailable as exc:
        with transaction.atomic():
            mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
            mandate.reject(reason=f"the rail could not register it: {exc}")
            mandate.save()
        raise Unavailable(
            "The payment rail could not register the mandate; try again.", code="rail_unavailable"
        ) from None
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        mandate.provider_reference, mandate.authorization_url = opened.provider_reference, opened.authorization_url
        mandate.save(update_fields=["provider_reference", "authorization_url", "updated_at"])
    return mandate


@transaction.atomic
def mandate_cancel(*, loan_id, actor) -> Mandate:
    loan = found(loans_visible_to(actor).filter(pk=loan_id).first(), "Loan not found.")
    mandate = found(
        Mandate.objects.select_for_update().filter(loan=loan, status__in=Mandate.LIVE_STATUSES).first(),
        "This loan has no live mandate.",
    )
    before = {"status": mandate.status}
    mandate.cancel(reason=f"cancelled by {getattr(actor, 'role', 'the rail')}")
    mandate.save()
    record("mandate.cancelled", obj=mandate, before=before, after={"status": mandate.status}, actor=actor)
    return mandate


def _mandate_for_event(data) -> Mandate:
    mandate = found(
        Mandate.objects.select_for_update().filter(pk=data.get("mandate_id")).first(),
        f"No mandate {data.get('mandate_id')}.",
    )
    return mandate


@applies("mandate.activated")
def _apply_mandate_activated(event) -> dict:
    mandate = _mandate_for_event(event.data)
    if mandate.status != Mandate.Status.PENDING:
        return {"already": str(mandate.status)}
    mandate.activate(umrn=str(event.data.get("umrn") or ""))
    mandate.save()
    record("mandate.activated", obj=mandate, after={"status": mandate.status, "umrn": mandate.umrn})
    return {"mandate": str(mandate.pk), "status": mandate.status}


@applies("mandate.rejected")
def _apply_mandate_rejected(event) -> dict:
    mandate = _mandate_for_event(event.data)
    if mandate.status != Mandate.Status.PENDING:
        return {"already": str(mandate.status)}
    mandate.reject(reason="rejected by the bank")
    mandate.save()
    record("mandate.rejected", obj=mandate, after={"status": mandate.status})
    return {"mandate": str(mandate.pk), "status": mandate.status}


@applies("mandate.cancelled")
def _apply_mandate_cancelled(event) -> dict:
    mandate = _mandate_for_event(event.data)
    if mandate.status not in Mandate.LIVE_STATUSES:
        return {"already": str(mandate.status)}
    mandate.cancel(reason="cancelled at the bank")
    mandate.save()
    record("mandate.cancelled", obj=mandate, after={"status": mandate.status})
    return {"mandate": str(mandate.pk), "status": mandate.status}


# ---- presentation -----------------------------------------------------------------------------

_PRESENT_SQL = f"""
INSERT INTO payments_paymentintent
    (id, created_at, updated_at, loan_id, installment_id, mandate_id, amount, method, status,
     provider_reference, payment_url, utr, failure_code, failure_reason, idempotency_key)
SELECT gen_random_uuid(), now(), now(), i.loan_id, i.id, m.id,
       {INSTALLMENT_OWED_SQL}, m.type, 'PRESENTED', '', '', '', '', '', ''
FROM loans_installment i
JOIN payments_mandate m ON m.loan_id = i.loan_id AND m.status = 'ACTIVE'
JOIN loans_loan l ON l.id = i.loan_id AND l.status = ANY(%(live)s)
WHERE i.due_date = %(day)s AND i.status <> 'PAID'
  AND {INSTALLMENT_OWED_SQL} > 0
ON CONFLICT DO NOTHING
RETURNING id
"""  # noqa: S608 (a constant expression)


def mandates_present(day: datetime.date) -> dict:
    """Every unpaid installment due on `day` whose loan has an ACTIVE mandate, presented once:
    the intents are written set-based (the unique installment constraint makes a rerun a no-op),
    then each debit is sent to the rail with no transaction open."""
    from apps.loans.models import Loan

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_PRESENT_SQL, {"day": day, "live": [str(s) for s in Loan.LIVE_STATUSES]})
        created = [row[0] for row in cursor.fetchall()]
    rail, sent, failed = get_collection_rail(), 0, 0
    for intent in PaymentIntent.objects.filter(pk__in=created).select_related("mandate").order_by("pk"):
        try:
            reference = rail.present_debit(reference=str(intent.pk), umrn=intent.mandate.umrn, amount=intent.amount)
        except RailUnavailable as exc:
            intent_failed_presentation(intent.pk, reason=str(exc))
            failed += 1
            continue
        PaymentIntent.objects.filter(pk=intent.pk, provider_reference="").update(provider_reference=reference)
        sent += 1
    return {"debits_presented": sent, "presentations_failed": failed}


@transaction.atomic
def intent_failed_presentation(intent_id, *, reason: str) -> None:
    intent = PaymentIntent.objects.select_for_update().get(pk=intent_id)
    if intent.status == PaymentIntent.Status.PRESENTED:
        intent.fail(code="RAIL", reason=reason)
        intent.save()
        record("payment_intent.failed", obj=intent, after={"reason": reason[:255]})


def bounce_if_mandate_debit(intent: PaymentIntent, code: str) -> str | None:
    """A presented mandate debit that failed with a NACH return code is that installment's
    bounce (charge, count, a second bounce defaults the loan), through the bounce service."""
    if intent.installment_id is None or not NachReturnCode.objects.filter(code=code, is_active=True).exists():
        return None
    bounce = emi_bounce(installment_id=intent.installment_id, code=code, actor=None)
    return str(bounce.pk)
