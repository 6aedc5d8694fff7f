"""Invoice use cases: add (validate, de-duplicate, verify with the GST network) and ops decisions."""

import datetime
import logging
import re

from django.db import IntegrityError, transaction
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.in_ import gstin as gstin_number

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, InvalidInput, found
from apps.core.money import round_money, to_decimal
from apps.invoices.models import Invoice, financial_year
from apps.invoices.providers import Outcome, get_gst_invoice_provider
from apps.kyc.models import Business
from apps.kyc.selectors import get_business_for_user

logger = logging.getLogger(__name__)

# GST rule 46: up to 16 characters, letters, digits, "-" and "/".
INVOICE_NUMBER = re.compile(r"^[A-Za-z0-9/-]{1,16}$")


def _snapshot(invoice: Invoice) -> dict:
    return {"status": invoice.status, "amount": str(invoice.amount), "invoice_number": invoice.invoice_number}


def _validated(
    business: Business, today: datetime.date, *, invoice_number, invoice_date, due_date, buyer_gstin, buyer_name, amount
) -> dict:
    """The invoice's fields normalised (number upper-cased, GSTIN checked) or a 400 naming one."""
    number = str(invoice_number or "").strip().upper()  # GST numbers are case-insensitive
    if not INVOICE_NUMBER.match(number):
        raise InvalidInput("1 to 16 letters, digits, '-' or '/'.", field="invoice_number")
    try:
        buyer_gstin = gstin_number.validate(str(buyer_gstin or ""))
    except StdnumError as exc:
        raise InvalidInput(f"Not a valid GSTIN: {exc}", field="buyer_gstin") from None
    if buyer_gstin == business.gstin:
        raise InvalidInput("The buyer cannot be the seller.", field="buyer_gstin")
    if invoice_date > today:
        raise InvalidInput("The invoice date is in the future.", field="invoice_date")
    if due_date <= invoice_date:
        raise InvalidInput("The due date must be after the invoice date.", field="due_date")
    if due_date < today:
        raise InvalidInput("The due date is in the past.", field="due_date")
    amount = to_decimal(amount)
    if amount <= 0 or round_money(amount) != amount:
        raise InvalidInput("A positive amount in rupees with at most two decimals.", field="amount")
    buyer_name = str(buyer_name or "").strip()
    if not buyer_name:
        raise InvalidInput("This field is required.", field="buyer_name")
    return {
        "invoice_number": number,
        "invoice_date": invoice_date,
        "due_date": due_date,
        "buyer_gstin": buyer_gstin,
        "buyer_name": buyer_name[:200],
        "amount": amount,
    }


def invoice_add(
    *, actor, invoice_number: str, invoice_date, due_date, buyer_gstin: str, buyer_name: str, amount
) -> Invoice:
    """Record the invoice (UPLOADED), then ask the GST network with no transaction open, then
    apply its answer under a row lock (DESIGN.md: never call an outside party inside one)."""
    invoice = _invoice_record(
        actor=actor,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        due_date=due_date,
        buyer_gstin=buyer_gstin,
        buyer_name=buyer_name,
        amount=amount,
    )
    check = _gst_check(invoice)
    return _gst_check_apply(invoice_id=invoice.pk, check=check, actor=actor)


@transaction.atomic
def _invoice_record(*, actor, **fields) -> Invoice:
    business = get_business_for_user(actor)
    if business is None:
        raise Conflict("Onboard your business before adding invoices.", code="kyc_required")
    if business.kyc_status != Business.KycStatus.VERIFIED:
        raise Conflict(f"KYC is {business.kyc_status}; only a verified business may add invoices.", code="kyc_required")
    fields = _validated(business, get_business_date(), **fields)
    fy = financial_year(fields["invoice_date"])
    duplicate = Invoice.objects.filter(
        seller_gstin=business.gstin, invoice_number=fields["invoice_number"], financial_year=fy
    )
    if duplicate.exists():
        raise Conflict("This invoice was already added for this financial year.", code="duplicate_invoice")
    invoice = Invoice(business=business, seller_gstin=business.gstin, financial_year=fy, **fields)
    try:
        # A savepoint, so a racing duplicate becomes a clean 409 rather than a broken transaction.
        with transaction.atomic():
            invoice.save()
    except IntegrityError:
        raise Conflict("This invoice was already added for this financial year.", code="duplicate_invoice") from None
    record("invoice.uploaded", obj=invoice, after=_snapshot(invoice), actor=actor)
    return invoice


def _gst_check(invoice: Invoice):
    return get_gst_invoice_provider().verify_invoice(
        seller_gstin=invoice.seller_gstin,
        buyer_gstin=invoice.buyer_gstin,
        invoice_number=invoice.invoice_number,
        invoice_date=invoice.invoice_date,
        amount=invoice.amount,
    )


@transaction.atomic
def _gst_check_apply(*, invoice_id, check, actor) -> Invoice:
    """The GST network's answer, applied to an invoice still UPLOADED (a racing recheck may have
    applied one already: the first answer stands)."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if invoice.status != Invoice.Status.UPLOADED:
        return invoice
    before = _snapshot(invoice)
    if check.outcome == Outcome.VERIFIED:
        invoice.verify(check.reference)
        action = "invoice.verified"
    elif check.outcome == Outcome.UNAVAILABLE:
        # Our outage is not the borrower's fault: keep it UPLOADED for ops to re-check.
        invoice.status_reason = check.reason[:255]
        invoice.save(update_fields=["status_reason", "updated_at"])
        logger.warning("GST check unavailable for invoice %s: %s", invoice.pk, check.reason)
        return invoice
    else:
        invoice.reject(check.reason or check.outcome)
        action = "invoice.rejected"
    invoice.save()
    record(action, obj=invoice, before=before, after=_snapshot(invoice), actor=actor, reason=check.reason)
    return invoice


def invoice_recheck(*, invoice_id, actor) -> Invoice:
    """Ops retry of the GST check for an invoice the service could not verify at upload."""
    invoice = found(Invoice.objects.filter(pk=invoice_id).first(), "Invoice not found.")
    if invoice.status != Invoice.Status.UPLOADED:
        raise Conflict(f"The invoice is {invoice.status}; only an UPLOADED invoice is checked.")
    return _gst_check_apply(invoice_id=invoice.pk, check=_gst_check(invoice), actor=actor)
