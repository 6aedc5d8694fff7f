"""Paying an installment, recording a bounce, and closing a loan that owes nothing more."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django_fsm import can_proceed

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput
from apps.core.money import ZERO, gst_on, round_money, to_decimal
from apps.core.outbox import event_emit
from apps.kyc.services import collateral_release
from apps.ledger import chart
from apps.ledger.services import Line, money_row_book, on_loan
from apps.loans.models import Installment, Loan
from apps.loans.services.events import loan_event
from apps.repayments.allocation import Allocation, allocate
from apps.repayments.locks import lock_installment
from apps.repayments.models import Bounce, NachReturnCode, Repayment
from apps.repayments.posting import repayment_lines


def parse_amount(value, *, field="amount") -> Decimal:
    try:
        amount = to_decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        raise InvalidInput("A positive amount in rupees.", field=field) from None
    if amount <= 0 or round_money(amount) != amount:
        raise InvalidInput("A positive amount with at most two decimals.", field=field)
    return amount


def _owed(installment: Installment) -> dict:
    return {
        "penalty": installment.penalty_due - installment.penalty_paid,
        "interest": installment.interest_due - installment.interest_paid,
        "principal": installment.principal_due - installment.principal_paid,
    }


def installment_status(installment: Installment, today) -> str:
    if installment.owed == 0:
        return Installment.Status.PAID
    if installment.due_date < today:
        return Installment.Status.OVERDUE
    return Installment.Status.PARTIALLY_PAID if installment.amount_paid else Installment.Status.PENDING


def recorded_actor(actor):
    """Who a money row names: the user, or nobody for a system caller (a job, a webhook)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def received_payload(repayment: Repayment) -> dict:
    """The `repayment.received` event's payload (one place for the single and the set-based writer)."""
    return {
        "repayment_id": str(repayment.pk),
        "loan_id": str(repayment.loan_id),
        "amount": str(repayment.amount),
        "kind": str(repayment.kind),
        "channel": repayment.channel,
        "business_date": repayment.business_date.isoformat(),
    }


def repayment_book(repayment: Repayment, *, lines, memo: str) -> Repayment:
    """Post the repayment's entry, then write the row once, pointing at it.

    Posted first, under the repayment's own id (set on construction) as the idempotency key:
    every kind of repayment (EMI, prepayment, foreclosure, recovery) is booked this one way.
    """
    money_row_book(
        repayment,
        entry_type="REPAYMENT",
        lines=lines,
        key=repayment_entry_key(repayment),
        memo=memo,
        actor=repayment.actor,
    )
    event_emit(
        "repayment.received",
        aggregate=("loans.loan", repayment.loan_id),
        payload=received_payload(repayment),
        business_date=repayment.business_date,
    )
    return repayment


def repayment_entry_key(repayment: Repayment) -> str:
    return f"repayment:{repayment.pk}"


# What paying an installment changes on the installment and on its loan.
INSTALLMENT_PAID_FIELDS = ["penalty_paid", "interest_paid", "principal_paid", "status", "paid_on", "updated_at"]
LOAN_OUTSTANDING_FIELDS = [
    "outstanding_penalty",
    "outstanding_interest",
    "interest_suspense",
    "penal_suspense",
    "outstanding_principal",
    "updated_at",
]


@dataclass
class Booking:
    """One repayment on one installment, worked out in memory and not yet written: the
    repayment row, its ledger lines, and the installment and loan already moved."""

    repayment: Repayment
    installment: Installment
    parts: Allocation
    lines: list
    memo: str

    @property
    def audit_after(self) -> dict:
        return {
            "amount": str(self.repayment.amount),
            **self.parts.as_dict(),
            "installment": self.installment.number,
            "loan": str(self.repayment.loan_id),
        }


def plan_on_installment(
    loan: Loan,
    installment: Installment,
    amount: Decimal,
    *,
    today,
    kind,
    actor,
    channel="API",
    reference="",
    offline_payment=None,
    source_account=None,
) -> Booking:
    """Allocate `amount` to one installment: the repayment and its lines, with the installment
    and the loan moved in memory (nothing written). The money comes from the collection bank
    account unless `source_account` says otherwise (a borrower's credit held in advances)."""
    parts = allocate(amount, _owed(installment), loan.product.allocation_order)
    accrued = parts.interest if installment.interest_accrued else ZERO
    repayment = Repayment(
        loan=loan,
        installment=installment,
        kind=kind,
        amount=amount,
        penalty=parts.penalty,
        interest=parts.interest,
        principal=parts.principal,
        channel=channel,
        external_reference=reference[:64],
        business_date=today,
        offline_payment=offline_payment,
        actor=recorded_actor(actor),
    )
    lines, released, penal_released = repayment_lines(
        loan,
        penalty=parts.penalty,
        interest_accrued=accrued,
        interest_unaccrued=parts.interest - accrued,
        principal=parts.principal,
        bank=source_account,
    )
    installment.penalty_paid += parts.penalty
    installment.interest_paid += parts.interest
    installment.principal_paid += parts.principal
    installment.status = installment_status(installment, today)
    installment.paid_on = today if installment.status == Installment.Status.PAID else None
    loan.outstanding_penalty -= parts.penalty
    loan.outstanding_interest -= accrued
    loan.interest_suspense -= released
    loan.penal_suspense -= penal_released
    loan.outstanding_principal -= parts.principal
    memo = f"{kind} on installment {installment.number}"
    return Booking(repayment=repayment, installment=installment, parts=parts, lines=lines, memo=memo)


def booking_write(loan: Loan, booking: Booking) -> Repayment:
    """Write one planned booking: the ledger entry, the repayment, the installment and loan, the
    audit row and the event. `repayments.services.bulk.bookings_write_many` is its set-based twin."""
    repayment = repayment_book(booking.repayment, lines=booking.lines, memo=booking.memo)
    booking.installment.save(update_fields=INSTALLMENT_PAID_FIELDS)
    loan.save(update_fields=LOAN_OUTSTANDING_FIELDS)
    record("repayment.received", obj=repayment, after=booking.audit_after, actor=repayment.actor)
    return repayment


def apply_to_installment(loan: Loan, installment: Installment, amount: Decimal, **how) -> Repayment:
    """Allocate `amount` to one installment and post it (`plan_on_installment` says how). The
    caller holds the loan and row locks."""
    return booking_write(loan, plan_on_installment(loan, installment, amount, **how))


def owed_on_installments(loan: Loan) -> Decimal:
    """What the loan's unpaid installments still owe (penalty, interest and principal due)."""
    return sum((installment.owed for installment in loan.installments.exclude(status=Installment.Status.PAID)), ZERO)


def plan_oldest_first(loan: Loan, installments, amount: Decimal, **how) -> tuple[list[Booking], Decimal]:
    """Spread `amount` over `installments` (the unpaid ones, oldest first), each split penalty ->
    interest -> principal by the product's order, in memory. Returns the bookings and what was
    left over (more than the installments owed)."""
    remaining, bookings = amount, []
    for installment in installments:
        if not remaining:
            break
        part = min(remaining, installment.owed)
        if part <= 0:
            continue
        bookings.append(plan_on_installment(loan, installment, part, kind=Repayment.Kind.EMI, **how))
        remaining -= part
    return bookings, remaining


def unpaid_installments_locked(loan_ids):
    """The unpaid installments of these loans, locked in the one order every money path takes."""
    return (
        Installment.objects.select_for_update()
        .filter(loan_id__in=loan_ids)
        .exclude(status=Installment.Status.PAID)
        .order_by("loan_id", "number")
    )


def pay_oldest_first(
    loan: Loan,
    amount: Decimal,
    *,
    today,
    actor,
    channel: str,
    reference: str = "",
    offline_payment=None,
    source_account=None,
) -> tuple[list[Repayment], Decimal]:
    """Apply `amount` to the loan's oldest dues first, installment by installment. Returns the
    repayment rows and what was left over. The caller holds the loan's lock."""
    bookings, remaining = plan_oldest_first(
        loan,
        unpaid_installments_locked([loan.pk]),
        amount,
        today=today,
        actor=actor,
        channel=channel,
        reference=reference,
        offline_payment=offline_payment,
        source_account=source_account,
    )
    return [booking_write(loan, booking) for booking in bookings], remaining


def close_if_settled(loan: Loan, *, today, actor) -> bool:
    """CLOSED, collateral released and the invoice SETTLED once nothing at all is owed."""
    if loan.outstanding_principal or loan.outstanding_interest or loan.outstanding_penalty:
        return False
    if loan.installments.exclude(status=Installment.Status.PAID).exists():
        return False
    before = {"status": loan.status}
    loan.close(on=today)
    loan.save()
    collateral_release(reference=loan.lien_reference, actor=actor)
    invoice = loan.invoice
    if invoice.status == invoice.Status.FINANCED:
        invoice.settle()
        invoice.save()
        record("invoice.settled", obj=invoice, after={"status": invoice.status}, actor=actor)
    record("loan.closed", obj=loan, before=before, after={"status": loan.status}, actor=actor)
    loan_event("loan.closed", loan, day=today)
    return True


@transaction.atomic
def emi_pay(*, installment_id, actor, amount=None, channel="API", reference="") -> Repayment:
    loan, installment = lock_installment(installment_id, actor)
    if not loan.is_live:
        raise Conflict(f"The loan is {loan.status}; it takes no payments.", code="loan_state")
    owed = installment.owed
    if owed <= 0:
        raise Conflict("Nothing is owed on this installment.", code="nothing_owed")
    amount = owed if amount is None else parse_amount(amount)
    if amount > owed:
        raise InvalidInput(f"At most {owed} is owed on this installment.", field="amount")
    today = get_business_date()
    repayment = apply_to_installment(
        loan,
        installment,
        amount,
        today=today,
        kind=Repayment.Kind.EMI,
        actor=actor,
        channel=channel,
        reference=reference,
    )
    close_if_settled(loan, today=today, actor=actor)
    return repayment


# A second bounce defaults a performing loan (DESIGN.md: ACTIVE/OVERDUE -> DEFAULTED).
DEFAULTING_BOUNCE_COUNT = 2


def bounce_charge(product) -> tuple[Decimal, Decimal]:
    """The charge of one bounce and the GST on it, as the loan's product prices them."""
    return product.bounce_charge, gst_on(product.bounce_charge, product.gst_rate_pct)


def bounce_would_default(loan: Loan) -> bool:
    """Whether one more bounce defaults the loan (the rule emi_bounce applies after counting it)."""
    return loan.bounce_count + 1 >= DEFAULTING_BOUNCE_COUNT and can_proceed(loan.mark_defaulted)


@transaction.atomic
def emi_bounce(*, installment_id, code: str, actor) -> Bounce:
    return_code = NachReturnCode.objects.filter(code=str(code).strip(), is_active=True).first()
    if return_code is None:
        codes = ", ".join(NachReturnCode.objects.filter(is_active=True).values_list("code", flat=True))
        raise InvalidInput(f"A NACH return code: {codes}.", field="reason")
    loan, installment = lock_installment(installment_id, None)
    if not can_proceed(loan.record_bounce, check_conditions=False):
        raise Conflict(f"The loan is {loan.status}.", code="loan_state")
    if installment.status == Installment.Status.PAID:
        raise Conflict("This installment is paid; there is nothing to bounce.", code="installment_paid")
    today = get_business_date()
    charge, gst = bounce_charge(loan.product)
    defaults = bounce_would_default(loan)
    bounce = Bounce(
        loan=loan,
        installment=installment,
        return_code=return_code,
        charge=charge,
        gst=gst,
        business_date=today,
        actor=actor,
    )
    common = on_loan(loan)
    # An NPA loan's charges are income only as they are paid (like its interest and penal
    # charges): the charge goes to suspense; the GST on it is owed to the government either way.
    npa = loan.asset_classification == Loan.Classification.NPA
    lines = [
        Line(chart.CHARGES_RECEIVABLE, debit=charge + gst, **common),
        Line(chart.PENAL_SUSPENSE if npa else chart.PENAL_INCOME, credit=charge, **common),
    ]
    if gst:
        lines.append(Line(chart.GST_PAYABLE, credit=gst, **common))
    memo = f"NACH return {return_code.code} on installment {installment.number}"
    money_row_book(bounce, entry_type="BOUNCE_CHARGE", lines=lines, key=f"bounce:{bounce.pk}", memo=memo, actor=actor)
    installment.penalty_due += charge + gst
    installment.status = installment_status(installment, today)
    installment.save()
    before = {"status": loan.status, "bounce_count": loan.bounce_count}
    loan.record_bounce(charge=charge + gst)
    if npa:
        loan.penal_suspense += charge
    if defaults:
        loan.mark_defaulted()
    loan.save()
    record(
        "loan.bounced",
        obj=loan,
        before=before,
        after={
            "status": loan.status,
            "bounce_count": loan.bounce_count,
            "code": return_code.code,
            "charge": str(charge + gst),
        },
        actor=actor,
    )
    loan_event(
        "emi.bounced",
        loan,
        day=today,
        bounce_id=str(bounce.pk),
        installment=installment.number,
        code=return_code.code,
        charge=str(charge + gst),
    )
    return bounce
