"""Sanction: accept an offer, record the loan and its payout in one transaction, then ask the
rail to pay with that transaction committed (apps/loans/services/payouts.py).

Lock order is invoice → offer (DESIGN.md), so two sanctions racing on the two offers of one
invoice queue on the invoice row; the second finds its offer WITHDRAWN and gets a 409.

The payout goes to a VERIFIED bank account of the business: the one named, else its primary.
A retry with the same Idempotency-Key finds the payout it recorded (the key is kept on it) and
answers with that loan as it now stands, sending the payout again only if the rail never
answered; the same key for another offer is 422.
"""

from django.db import transaction
from django.utils import timezone

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, DomainError, NotFound, Unprocessable, found
from apps.core.roles import Role
from apps.core.screening import screen
from apps.invoices.models import Invoice
from apps.invoices.transitions import INVOICE_FINANCED
from apps.kyc.models import BankAccount
from apps.kyc.services import collateral_pledge
from apps.loans.limits import limits_check, limits_lock
from apps.loans.models import Loan, Offer, Payout
from apps.loans.pricing import priced_terms
from apps.loans.services.events import loan_event
from apps.loans.services.payouts import payout_record, payout_send
from apps.loans.transitions import OFFER_ACCEPTED, OFFER_WITHDRAWN


class PayoutUnavailable(DomainError):
    """502: the beneficiary's bank refused the payout; the loan was cancelled and the invoice freed."""

    status_code = 502
    code = "payout_failed"


def _lock_offer(offer_id, actor) -> tuple[Invoice, Offer]:
    invoice_id = found(
        Offer.objects.filter(pk=offer_id).values_list("invoice_id", flat=True).first(), "Offer not found."
    )
    invoice = Invoice.objects.select_for_update().select_related("business").get(pk=invoice_id)
    if actor.role == Role.BORROWER and invoice.business.owner_id != actor.pk:
        raise NotFound("Offer not found.")
    offer = Offer.objects.select_for_update().select_related("product").get(pk=offer_id)
    return invoice, offer


def _verified_account(business_id, bank_account_id) -> BankAccount | None:
    """The account named, else the primary one, if it is a VERIFIED account of the business."""
    accounts = BankAccount.objects.filter(business_id=business_id, status=BankAccount.Status.VERIFIED)
    return (accounts.filter(pk=bank_account_id) if bank_account_id else accounts.filter(is_primary=True)).first()


def _payout_account(business, bank_account_id) -> BankAccount:
    account = _verified_account(business.pk, bank_account_id)
    if account is None:
        named = "That bank account is not a verified account of this business."
        missing = "Add and verify a bank account before accepting an offer."
        raise Conflict(named if bank_account_id else missing, code="bank_account_required")
    return account


def loan_sanction(*, offer_id, actor, bank_account_id=None, idempotency_key: str = "") -> Loan:
    key = (idempotency_key or "")[:255]
    earlier = (
        Payout.objects.select_related("loan").filter(created_by=actor, idempotency_key=key).first() if key else None
    )
    if earlier is not None and str(earlier.loan.offer_id) != str(offer_id):
        raise Unprocessable("This Idempotency-Key was used for another offer.", code="idempotency_key_reused")
    if earlier is None:
        _screen(offer_id, actor, bank_account_id)
    payout = earlier or _sanction(offer_id, actor, bank_account_id, key)
    # No transaction is open here: the loan and its payout are committed before the rail is asked.
    payout = payout_send(payout.pk, actor=actor)
    if payout.status == Payout.Status.FAILED:
        raise PayoutUnavailable(f"The payout could not be made: {payout.failure_reason}")
    return Loan.objects.get(pk=payout.loan_id)


def _screen(offer_id, actor, bank_account_id) -> None:
    """The fraud rules (risk registers them) on this sanction, before its transaction opens, so
    an alert they raise stays when they hold (409) or refuse (403) it. Whatever makes the
    sanction itself impossible (no such offer, not ACTIVE, no account) is left to `_sanction`."""
    offer = Offer.objects.select_related("invoice__business").filter(pk=offer_id).first()
    if offer is None or offer.status != Offer.Status.ACTIVE:
        return
    invoice = offer.invoice
    if actor.role == Role.BORROWER and invoice.business.owner_id != actor.pk:
        return
    account = _verified_account(invoice.business_id, bank_account_id)
    screen(
        "loan.sanction",
        business_id=invoice.business_id,
        actor=actor,
        invoice_id=invoice.pk,
        invoice_amount=invoice.amount,
        buyer_gstin=invoice.buyer_gstin,
        bank_account_id=account.pk if account else None,
    )


@transaction.atomic
def _sanction(offer_id, actor, bank_account_id, key) -> Payout:
    invoice, offer = _lock_offer(offer_id, actor)
    if offer.status != Offer.Status.ACTIVE:
        raise Conflict(f"The offer is {offer.status}.", code="offer_state")
    if offer.valid_until <= timezone.now():
        raise Conflict("The offer has expired.", code="offer_expired")
    if invoice.status != Invoice.Status.OFFERED:
        raise Conflict(f"The invoice is {invoice.status}.", code="invoice_state")
    business = invoice.business
    account = _payout_account(business, bank_account_id)
    limits_lock(business, invoice.buyer_gstin)
    limits_check(business, invoice.buyer_gstin, offer.principal)
    today = get_business_date()

    OFFER_ACCEPTED.one(offer, actor=actor)
    for sibling in invoice.offers.select_for_update().filter(status=Offer.Status.ACTIVE).exclude(pk=offer.pk):
        OFFER_WITHDRAWN.one(sibling, "another offer was accepted", actor=actor)

    loan = Loan.objects.create(
        borrower_id=business.owner_id,
        business=business,
        invoice=invoice,
        offer=offer,
        product=offer.product,
        offer_type=offer.type,
        credit_grade=offer.credit_grade,
        **priced_terms(offer),
        interest_method=offer.product.interest_method,
        disbursed_amount=offer.principal - offer.processing_fee - offer.fee_gst,
        sanctioned_on=today,
        outstanding_principal=offer.principal,
    )
    if offer.type == Offer.Type.SECURED:
        collateral_ids = list(offer.collaterals.values_list("id", flat=True))
        if not collateral_ids:
            raise Conflict("The secured offer has no collateral.", code="collateral")
        collateral_pledge(collateral_ids=collateral_ids, actor=actor, reference=loan.lien_reference)
    INVOICE_FINANCED.one(invoice, actor=actor)
    record("loan.sanctioned", obj=loan, after={"status": loan.status, "principal": str(loan.principal)}, actor=actor)
    loan_event("loan.sanctioned", loan, day=today, business_id=str(loan.business_id), principal=str(loan.principal))

    return payout_record(loan=loan, bank_account=account, actor=actor, idempotency_key=key)
