"""Offers: made for an approved application (priced from the credit score and cut to the bank
data and the exposure limits), kept while live, expired and withdrawn. POST /offers/generate is
an application created and submitted in one call: apps/loans/services/applications.py."""

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from apps.audit.services import record
from apps.banking.selectors import max_affordable_emi
from apps.core.errors import Conflict, found, required_reason
from apps.invoices.models import Invoice
from apps.invoices.transitions import INVOICE_REOPENED
from apps.kyc.models import Business, Collateral
from apps.loans.limits import limit_exceeded, limits_room
from apps.loans.models import Offer
from apps.loans.pricing import price_offers, priced_terms
from apps.loans.transitions import OFFER_EXPIRED, OFFER_WITHDRAWN


def _offer_snapshot(offer: Offer) -> dict:
    return {"status": offer.status, "type": offer.type, "principal": str(offer.principal)}


def _covering_collaterals(business: Business, principal) -> list[Collateral]:
    """The fewest free collaterals (largest first) whose value covers the principal."""
    chosen, covered = [], 0
    for collateral in Collateral.objects.filter(business=business, lien_status=Collateral.Lien.FREE).order_by(
        "-value", "id"
    ):
        if covered >= principal:
            break
        chosen.append(collateral)
        covered += collateral.value
    return chosen if covered >= principal else []


def _expire_in_place(invoice: Invoice, offers: list[Offer], *, actor) -> None:
    """The one-row path of offers_expire_due, for the invoice being offered again right now."""
    for offer in offers:
        OFFER_EXPIRED.one(offer, actor=actor)
    INVOICE_REOPENED.one(invoice, "offers expired", actor=actor, reason="offers expired")


def offers_live(invoice: Invoice, *, actor, now) -> list[Offer]:
    """The invoice's live offers (POST /offers/generate again while they last: the same offers),
    or none; offers past their time are expired on the spot so the invoice may be offered anew.
    In the caller's transaction, with the invoice row locked."""
    if invoice.status != Invoice.Status.OFFERED:
        return []
    active = list(invoice.offers.filter(status=Offer.Status.ACTIVE).order_by("type"))
    live = [offer for offer in active if offer.valid_until > now]
    if not live:
        _expire_in_place(invoice, active, actor=actor)
    return live


def offers_make(*, application, actor, now) -> list[Offer]:
    """The priced offers for an approved application, on its credit score's grade and capped at
    the amount it asks: cut to the bank data's affordable EMI and to the exposure limits; the
    invoice OFFERED. In the caller's transaction, with the invoice row locked."""
    invoice, product, score = application.invoice, application.product, application.credit_score
    business = invoice.business
    free = Collateral.objects.filter(business=business, lien_status=Collateral.Lien.FREE).aggregate(s=Sum("value"))
    max_emi = max_affordable_emi(business)
    pricing = {
        "invoice_amount": invoice.amount,
        "grade": score.grade,
        "free_collateral": free["s"] or 0,
        "requested": application.requested_amount,
    }
    terms = price_offers(product, **pricing, max_emi=max_emi)
    if not terms and max_emi is not None and price_offers(product, **pricing):
        raise Conflict(
            "The EMI would not fit the business's bank cash flow.",
            code="emi_unaffordable",
            extra={"max_affordable_emi": str(max_emi)},
        )
    if not terms:
        raise Conflict("The invoice is outside what our products finance.", code="no_offer")
    terms = _within_limits(business, invoice.buyer_gstin, terms)
    valid_until = now + timezone.timedelta(hours=product.offer_validity_hours)
    offers = []
    for term in terms:
        offer = Offer.objects.create(
            invoice=invoice,
            product=product,
            type=term.type,
            **priced_terms(term),
            credit_grade=score.grade,
            credit_score=score.score,
            valid_until=valid_until,
            application=application,
        )
        if term.type == Offer.Type.SECURED:
            offer.collaterals.set(_covering_collaterals(business, term.principal))
        record("offer.created", obj=offer, after=_offer_snapshot(offer), actor=actor)
        offers.append(offer)
    invoice.mark_offered()
    invoice.save()
    record("invoice.offered", obj=invoice, after={"status": invoice.status}, actor=actor)
    return offers


def _within_limits(business, buyer_gstin, terms):
    """The offers that fit both exposure limits (apps/loans/limits.py); none: 409 naming the
    limit that binds. The sanction checks again, under the limits' locks."""
    mine, theirs = limits_room(business, buyer_gstin)
    fitting = [t for t in terms if t.principal <= min(mine.available, theirs.available)]
    if not fitting:
        raise limit_exceeded(*(("business", mine) if mine.available <= theirs.available else ("buyer", theirs)))
    return fitting


def offers_expire_due(*, now=None) -> dict[str, int]:
    """Set-based expiry: every ACTIVE offer past `valid_until`, and the invoices left with none.

    Two UPDATE statements and two bulk audit inserts, whatever the number of offers, through
    the same transitions (and audit rows) as the one-row path (apps/loans/transitions.py).
    """
    now = now or timezone.now()
    due = Offer.objects.filter(status=Offer.Status.ACTIVE, valid_until__lte=now)
    with transaction.atomic():
        # Invoice first, then its offers: the order a sanction locks them in, so the two never
        # deadlock. An invoice a sanction holds right now is skipped; the next run sees it.
        invoices = list(
            Invoice.objects.filter(pk__in=due.values("invoice_id"))
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)
        )
        expired = list(
            due.filter(invoice_id__in=invoices).order_by("pk").select_for_update().values_list("id", "invoice_id")
        )
        if not expired:
            return {"offers_expired": 0, "invoices_reopened": 0}
        offer_ids = OFFER_EXPIRED.many(Offer.objects.filter(pk__in=[pk for pk, _ in expired]), updated_at=now)
        reopened = INVOICE_REOPENED.many(
            Invoice.objects.filter(pk__in={invoice_id for _, invoice_id in expired}).exclude(
                offers__status=Offer.Status.ACTIVE
            ),
            updated_at=now,
            status_reason="offers expired",
            reason="offers expired",
        )
    return {"offers_expired": len(offer_ids), "invoices_reopened": len(reopened)}


@transaction.atomic
def offer_withdraw(*, offer_id, actor, reason: str) -> Offer:
    """Ops withdraw a live offer (e.g. the buyer disputes the invoice); the invoice may be
    offered again once none of its offers is live."""
    reason = required_reason(reason)
    invoice_id = found(
        Offer.objects.filter(pk=offer_id).values_list("invoice_id", flat=True).first(), "Offer not found."
    )
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    offer = Offer.objects.select_for_update().get(pk=offer_id)
    if offer.status != Offer.Status.ACTIVE:
        raise Conflict(f"The offer is {offer.status}; only an ACTIVE offer is withdrawn.")
    OFFER_WITHDRAWN.one(offer, reason, actor=actor, reason=reason)
    if invoice.status == Invoice.Status.OFFERED and not invoice.offers.filter(status=Offer.Status.ACTIVE).exists():
        invoice.reopen("offers withdrawn")
        invoice.save()
        record("invoice.reopened", obj=invoice, after={"status": invoice.status}, actor=actor, reason=reason)
    return offer
