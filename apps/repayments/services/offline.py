"""Money that arrived outside the API (NEFT, RTGS, UPI, cheque, cash), recorded by ops.

Applied as the payment rails' money is: to the loan's oldest dues first, penalty -> interest ->
principal, installment by installment, each part booked by `apply_to_installment` (so by
`repayment_book`, with the same ledger lines, audit rows and closing rule as an API payment).

Booked once: the receipt's id is the token of the form that sent it (a double submit finds it
and books nothing more), and a bank reference is unique per method in the database (the same
UTR typed twice, even on another loan, is refused).
"""

import datetime
import re
import uuid

from django.db import IntegrityError, transaction

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput
from apps.core.money import ZERO
from apps.loans.models import Installment, Loan
from apps.repayments.locks import lock_loan
from apps.repayments.models import OfflinePayment
from apps.repayments.services.payments import close_if_settled, parse_amount, pay_oldest_first, recorded_actor

Method = OfflinePayment.Method

# What a reference looks like per method. A NEFT UTR is 16 characters, an RTGS UTR 22, a UPI
# RRN 12 digits; banks vary, so any 12-22 letters and digits. A cheque number is 6 digits. Cash
# needs none (a receipt number, if ops have one).
REFERENCE_FORMATS = {
    Method.NEFT: (re.compile(r"[A-Z0-9]{12,22}"), "a UTR of 12 to 22 letters and digits"),
    Method.RTGS: (re.compile(r"[A-Z0-9]{12,22}"), "a UTR of 12 to 22 letters and digits"),
    Method.UPI: (re.compile(r"[A-Z0-9]{12,22}"), "a UPI reference (RRN) of 12 to 22 letters and digits"),
    Method.CHEQUE: (re.compile(r"[0-9]{6}"), "the 6-digit cheque number"),
    Method.CASH: (re.compile(r"[A-Z0-9/-]{0,32}"), "a receipt number of letters, digits, / and -, or nothing"),
}


def parse_reference(method: str, reference: str) -> str:
    if method not in REFERENCE_FORMATS:
        raise InvalidInput(f"One of {', '.join(Method.values)}.", field="method")
    pattern, description = REFERENCE_FORMATS[method]
    reference = (reference or "").strip().upper().replace(" ", "")
    if not pattern.fullmatch(reference):
        raise InvalidInput(f"A {method} payment needs {description}.", field="reference")
    return reference


def _check_received_on(loan: Loan, received_on: datetime.date, today: datetime.date) -> None:
    if not isinstance(received_on, datetime.date):
        raise InvalidInput("The date the money was received.", field="received_on")
    if received_on > today:
        raise InvalidInput(f"Not after the business date, {today:%d %b %Y}.", field="received_on")
    if loan.disbursed_on and received_on < loan.disbursed_on:
        raise InvalidInput(f"Not before the disbursement, {loan.disbursed_on:%d %b %Y}.", field="received_on")


def _duplicate(method: str, reference: str) -> Conflict:
    earlier = OfflinePayment.objects.filter(method=method, reference=reference).first()
    where = f" on loan {earlier.loan_id} on {earlier.received_on:%d %b %Y}" if earlier else ""
    return Conflict(f"{method} {reference} is already recorded{where}.", field="reference", code="duplicate_reference")


@transaction.atomic
def offline_payment_record(
    *, loan_id, method: str, reference: str, amount, received_on, actor, receipt_id=None
) -> OfflinePayment:
    """Record and apply one offline payment. `receipt_id` (the form's token) makes it idempotent:
    the same id again returns the first receipt and books nothing."""
    reference = parse_reference(method, reference)
    amount = parse_amount(amount)
    receipt_id = receipt_id or uuid.uuid4()
    loan = lock_loan(loan_id, None)
    done = OfflinePayment.objects.filter(pk=receipt_id).first()
    if done is not None:
        if done.loan_id != loan.pk:
            raise Conflict("This form was already used for another loan.", code="receipt_reused")
        return done
    if not loan.is_live:
        raise Conflict(f"The loan is {loan.status}; it takes no payments.", code="loan_state")
    today = get_business_date()
    _check_received_on(loan, received_on, today)
    unpaid = list(loan.installments.select_for_update().exclude(status=Installment.Status.PAID).order_by("number"))
    owed = sum((installment.owed for installment in unpaid), ZERO)
    if amount > owed:
        raise InvalidInput(
            f"At most {owed} is owed on this loan's installments; for more, foreclose it.", field="amount"
        )
    if reference and OfflinePayment.objects.filter(method=method, reference=reference).exists():
        raise _duplicate(method, reference)
    actor = recorded_actor(actor)
    receipt = OfflinePayment(
        id=receipt_id,
        loan=loan,
        method=method,
        reference=reference,
        amount=amount,
        received_on=received_on,
        business_date=today,
        actor=actor,
    )
    try:
        with transaction.atomic():  # another loan's form with the same reference may win the race
            receipt.save(force_insert=True)
    except IntegrityError:
        raise _duplicate(method, reference) from None
    pay_oldest_first(
        loan, amount, today=today, actor=actor, channel=method, reference=reference, offline_payment=receipt
    )
    record(
        "loan.offline_payment_recorded",
        obj=loan,
        after={
            "receipt": str(receipt.pk),
            "method": method,
            "reference": reference,
            "amount": str(amount),
            "received_on": received_on.isoformat(),
        },
        actor=actor,
    )
    close_if_settled(loan, today=today, actor=actor)
    return receipt
