"""Sanction: accept an offer and turn it into a disbursed loan, all or nothing.

Lock order is invoice → offer (DESIGN.md), so two sanctions racing on the two offers of one
invoice queue on the invoice row; the second finds its offer WITHDRAWN and gets a 409.
"""

from django.db import transaction
from django.utils import timezone

from apps.audit.services import record
from apps.core.business_date import get_business_date
from apps.core.errors import Conflict, DomainError, NotFound
from apps.core.roles import Role
from apps.invoices.models import Invoice
from apps.invoices.transitions import INVOICE_FINANCED
from apps.kyc.services import collateral_pledge
from apps.loans.models import Loan, Offer
from apps.loans.providers import PayoutFailed, PayoutStatus, get_payout_provider
from apps.loans.services.disbursement import loan_disburse
from apps.loans.transitions import OFFER_ACCEPTED, OFFER_WITHDRAWN


class PayoutUnavailable(DomainError):
    """502: the payment rail refused or could not be reached; nothing was sanctioned."""

    status_code = 502
    code = "payout_failed"


def _lock_offer(offer_id, actor) -> tuple[Invoice, Offer]:
    invoice_id = Offer.objects.filter(pk=offer_id).values_list("invoice_id", flat=True).first()
    if invoice_id is None:
        raise NotFound("Offer not found.")
    invoice = Invoice.objects.select_for_update().select_related("business").get(pk=invoice_id)
    if actor.role == Role.BORROWER and invoice.business.owner_id != actor.pk:
        raise NotFound("Offer not found.")
    offer = Offer.objects.select_for_update().select_related("product").get(pk=offer_id)
    return invoice, offer


def payout_reference(offer: Offer) -> str:
    return f"offer-{offer.pk}"


@transaction.atomic
def loan_sanction(*, offer_id, actor) -> Loan:
    invoice, offer = _lock_offer(offer_id, actor)
    if offer.status != Offer.Status.ACTIVE:
        raise Conflict(f"The offer is {offer.status}.", code="offer_state")
    if offer.valid_until <= timezone.now():
        raise Conflict("The offer has expired.", code="offer_expired")
    if invoice.status != Invoice.Status.OFFERED:
        raise Conflict(f"The invoice is {invoice.status}.", code="invoice_state")
    business = invoice.business
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
        principal=offer.principal,
        annual_rate=offer.annual_rate,
        tenure_months=offer.tenure_months,
        interest_method=offer.product.interest_method,
        emi=offer.emi,
        processing_fee=offer.processing_fee,
        fee_gst=offer.fee_gst,
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

    # The rail is called inside the transaction on purpose: if it refuses, everything above
    # rolls back. It de-duplicates on our reference, which names the offer (accepted at most
    # once) rather than the loan (a new id on every retry): a payout that timed out but went
    # through cannot be paid again by the retry.
    try:
        payout = get_payout_provider().disburse(
            reference=payout_reference(offer),
            amount=loan.disbursed_amount,
            beneficiary={"name": business.legal_name, "gstin": business.gstin},
        )
    except PayoutFailed as exc:
        raise PayoutUnavailable(f"The payout could not be made: {exc}") from exc
    if payout.status == PayoutStatus.SUCCEEDED:
        loan_disburse(loan=loan, utr=payout.utr, actor=actor)
    else:
        record("loan.payout_pending", obj=loan, after={"reference": payout.reference}, actor=actor)
    return loan
