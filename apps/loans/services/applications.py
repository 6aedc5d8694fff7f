"""Loan applications: drafted by the borrower against one of their VERIFIED invoices and a
product, checked against the product's ranges and what the invoice can carry (400 naming the
field), editable while DRAFT, then submitted: the risk evaluation decides at once — APPROVED
(offers made, capped at the amount asked), REJECTED (its reasons) or UNDER_REVIEW (its
reasons), which an OFFICER or ADMIN decides with a reason. Every move goes through the
application's state machine and is audited.

POST /offers/generate is the same path in one call (offers_generate): an application for the
most the invoice carries on the product open for offers, created and submitted at once. So a
REVIEW decision holds an application (the officers' worklist), never the invoice.

Lock order: the invoice, then the application (the invoice row serialises everything that makes
offers for it). One application per invoice is open (SUBMITTED or UNDER_REVIEW) at a time.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.audit.services import record
from apps.core.errors import Conflict, InvalidInput, found, required_reason
from apps.core.money import HUNDRED, round_money
from apps.invoices.models import Invoice
from apps.invoices.selectors import invoices_visible_to
from apps.kyc.models import Business
from apps.loans.limits import limits_check
from apps.loans.models import LoanApplication, LoanProduct, Offer
from apps.loans.selectors import loan_product_for_offers
from apps.loans.services.offers import offers_live, offers_make
from apps.risk.services import risk_evaluation_run

EDITABLE = ("invoice", "product", "requested_amount", "tenure_months")
OPEN = (LoanApplication.Status.SUBMITTED, LoanApplication.Status.UNDER_REVIEW)


def _snapshot(application: LoanApplication) -> dict:
    return {
        "status": application.status,
        "requested_amount": str(application.requested_amount),
        "tenure_months": application.tenure_months,
        "invoice": str(application.invoice_id),
        "product": str(application.product_id),
    }


def _carried(invoice: Invoice, product: LoanProduct):
    """The most `product` lends against `invoice`: its larger advance rate of the invoice amount."""
    return round_money(invoice.amount * max(product.secured_advance_pct, product.unsecured_advance_pct) / HUNDRED)


def _checked(actor, *, invoice_id, product_id, requested_amount: Decimal, tenure_months: int) -> dict:
    invoice = invoices_visible_to(actor).filter(pk=invoice_id).first()
    if invoice is None:
        raise InvalidInput("No such invoice of yours.", field="invoice_id")
    if invoice.status != Invoice.Status.VERIFIED:
        raise InvalidInput(
            f"The invoice is {invoice.status}; only a VERIFIED invoice is applied against.", field="invoice_id"
        )
    product = LoanProduct.objects.filter(pk=product_id, is_active=True).first()
    if product is None:
        raise InvalidInput("No such product open for applications.", field="product_id")
    if not product.min_principal <= requested_amount <= product.max_principal:
        raise InvalidInput(
            f"This product lends {product.min_principal} to {product.max_principal}.", field="requested_amount"
        )
    carried = _carried(invoice, product)
    if requested_amount > carried:
        raise InvalidInput(f"This invoice carries at most {carried}.", field="requested_amount")
    if tenure_months != product.tenure_months:
        raise InvalidInput(f"This product's tenure is {product.tenure_months} months.", field="tenure_months")
    return {
        "invoice": invoice,
        "product": product,
        "requested_amount": requested_amount,
        "tenure_months": tenure_months,
    }


@transaction.atomic
def application_create(*, actor, invoice_id, product_id, requested_amount, tenure_months) -> LoanApplication:
    fields = _checked(
        actor,
        invoice_id=invoice_id,
        product_id=product_id,
        requested_amount=requested_amount,
        tenure_months=tenure_months,
    )
    return _new(actor, **fields)


def _new(actor, *, invoice, product, requested_amount, tenure_months) -> LoanApplication:
    """A DRAFT for the invoice's business, audited: the one way an application comes to be."""
    application = LoanApplication.objects.create(
        business=invoice.business,
        invoice=invoice,
        product=product,
        requested_amount=requested_amount,
        tenure_months=tenure_months,
    )
    record("application.created", obj=application, after=_snapshot(application), actor=actor)
    return application


def _locked(applications, application_id) -> LoanApplication:
    """The application and its invoice, locked in that order (invoice first). An edit that moved
    it to another invoice between the read and the lock is a 409, not a race past the lock."""
    application = found(applications.filter(pk=application_id).first(), "Application not found.")
    Invoice.objects.select_for_update().filter(pk=application.invoice_id).first()
    locked = LoanApplication.objects.select_for_update().get(pk=application.pk)
    if locked.invoice_id != application.invoice_id:
        raise Conflict("The application changed meanwhile; try again.", code="application_changed")
    return locked


def _mine_locked(application_id, actor) -> LoanApplication:
    return _locked(LoanApplication.objects.filter(business__owner=actor), application_id)


@transaction.atomic
def application_edit(*, application_id, actor, **changes) -> LoanApplication:
    application = _mine_locked(application_id, actor)
    if application.status != LoanApplication.Status.DRAFT:
        raise Conflict(f"The application is {application.status}; only a DRAFT is edited.", code="application_state")
    before = _snapshot(application)
    current = {
        "invoice_id": application.invoice_id,
        "product_id": application.product_id,
        "requested_amount": application.requested_amount,
        "tenure_months": application.tenure_months,
    }
    fields = _checked(actor, **{**current, **changes})
    for name, value in fields.items():
        setattr(application, name, value)
    application.save()
    record("application.edited", obj=application, before=before, after=_snapshot(application), actor=actor)
    return application


def _offer(application: LoanApplication, actor) -> list[Offer]:
    """Offers for an approved application, in the caller's transaction (the invoice locked)."""
    if application.invoice.status != Invoice.Status.VERIFIED:
        raise Conflict(
            f"The invoice is {application.invoice.status}; it can no longer be offered.", code="invoice_state"
        )
    if application.credit_score is None:
        # An application that never had one (loans 0019 moved the old invoice holds over):
        # priced on the score the evaluation gives now.
        application.credit_score = risk_evaluation_run(
            business=application.business, amount=application.requested_amount, actor=actor
        ).score
    return offers_make(application=application, actor=actor, now=timezone.now())


def _open_elsewhere(application: LoanApplication) -> LoanApplication | None:
    return (
        LoanApplication.objects.filter(invoice_id=application.invoice_id, status__in=OPEN)
        .exclude(pk=application.pk)
        .first()
    )


def _submitted(application: LoanApplication, actor, *, amount_is_firm: bool = True) -> LoanApplication:
    """Submit a DRAFT (locked, with its invoice): the risk evaluation decides on the amount asked.

    `amount_is_firm`: the borrower named the amount, so an amount beyond the exposure limits is
    a 409 `limit_exceeded` now, not an approval that can make no offer. POST /offers/generate
    asks for the most the invoice carries and takes the offers that fit (offers_make)."""
    business = Business.objects.get(pk=application.business_id)
    if business.kyc_status != Business.KycStatus.VERIFIED:
        raise Conflict("KYC is not verified.", code="kyc_required")
    if _open_elsewhere(application):
        raise Conflict("Another application for this invoice awaits its decision.", code="application_open")
    application.submit()
    application.submitted_at = timezone.now()
    decision = risk_evaluation_run(business=business, amount=application.requested_amount, actor=actor)
    application.decision, application.reasons = decision.outcome, list(decision.reasons)
    application.credit_score = decision.score
    if amount_is_firm and decision.outcome != "REJECT":
        # After the evaluation: the grade it scores is what the business's limit follows.
        limits_check(business, application.invoice.buyer_gstin, application.requested_amount)
    if decision.outcome == "REJECT":
        application.reject_automatically()
    elif decision.outcome == "REVIEW":
        application.hold_for_review()
    else:
        application.approve_automatically()
        _offer(application, actor)
    application.save()
    record(
        "application.submitted",
        obj=application,
        after={**_snapshot(application), "decision": decision.outcome, "reasons": application.reasons},
        actor=actor,
    )
    return application


@transaction.atomic
def application_submit(*, application_id, actor) -> LoanApplication:
    application = _mine_locked(application_id, actor)
    if application.status != LoanApplication.Status.DRAFT:
        raise Conflict(f"The application is {application.status}; only a DRAFT is submitted.", code="application_state")
    return _submitted(application, actor)


def _rejection_standing(invoice: Invoice) -> LoanApplication | None:
    """The newest application an officer rejected for `invoice`, unless an application was
    approved after it (a draft, or an automatic rejection since, does not lift it)."""
    rejected = (
        invoice.applications.filter(status=LoanApplication.Status.REJECTED, decided_by__isnull=False)
        .order_by("-decided_at")
        .first()
    )
    if rejected is None:
        return None
    approved_since = invoice.applications.filter(
        status=LoanApplication.Status.APPROVED, submitted_at__gt=rejected.decided_at
    ).exists()
    return None if approved_since else rejected


def offers_generate(*, invoice_id, actor) -> list[Offer]:
    """POST /offers/generate: the invoice's live offers if it has them; else an application for
    the most the invoice carries on the product open for offers, created and submitted in one
    call. A REJECT or an UNDER_REVIEW is committed (the application and its audit are the
    record, and the officers' worklist holds the review) and then answered with a 409 naming
    the application; a review already open for the invoice is answered the same way."""
    with transaction.atomic():
        outcome = _generate(invoice_id=invoice_id, actor=actor)
    if isinstance(outcome, Conflict):
        raise outcome
    return outcome


def _generate(*, invoice_id, actor) -> list[Offer] | Conflict:
    invoice = found(
        invoices_visible_to(actor).select_for_update(of=("self",)).filter(pk=invoice_id).first(), "Invoice not found."
    )
    live = offers_live(invoice, actor=actor, now=timezone.now())
    if live:
        return live
    if invoice.status != Invoice.Status.VERIFIED:
        raise Conflict(f"The invoice is {invoice.status}; offers need a VERIFIED invoice.", code="invoice_state")
    held = LoanApplication.objects.filter(invoice=invoice, status__in=OPEN).first()
    if held is None:
        declined = _rejection_standing(invoice)
        if declined is not None:
            # An officer's rejection stands: asking again does not queue the same invoice again.
            # A different application (another amount or product) may still be drafted.
            return Conflict(
                "Our credit team declined finance for this invoice.",
                code="risk_rejected",
                extra={"reasons": [declined.decision_reason], "application_id": str(declined.pk)},
            )
        product = loan_product_for_offers()
        requested = min(_carried(invoice, product), product.max_principal)
        if requested < product.min_principal:
            raise Conflict("The invoice is outside what our products finance.", code="no_offer")
        application = _new(
            actor, invoice=invoice, product=product, requested_amount=requested, tenure_months=product.tenure_months
        )
        held = _submitted(application, actor, amount_is_firm=False)
    if held.status == LoanApplication.Status.APPROVED:
        return list(held.offers.order_by("type"))
    if held.status == LoanApplication.Status.REJECTED:
        return Conflict(
            "We cannot make an offer for this invoice.",
            code="risk_rejected",
            extra={"reasons": held.reasons, "application_id": str(held.pk)},
        )
    return Conflict(
        "This invoice needs a review by our credit team before offers can be made.",
        code="risk_review",
        extra={"reasons": held.reasons, "application_id": str(held.pk)},
    )


def _decide(application_id, actor, reason: str, move: str) -> LoanApplication:
    reason = required_reason(reason)
    application = _locked(LoanApplication.objects.all(), application_id)
    if application.status != LoanApplication.Status.UNDER_REVIEW:
        raise Conflict(
            f"The application is {application.status}; only one UNDER_REVIEW is decided.", code="application_state"
        )
    getattr(application, move)()
    application.decided_by, application.decided_at, application.decision_reason = actor, timezone.now(), reason
    if move == "approve":
        _offer(application, actor)
    application.save()
    record(f"application.{move}d", obj=application, after=_snapshot(application), actor=actor, reason=reason)
    return application


@transaction.atomic
def application_approve(*, application_id, actor, reason: str) -> LoanApplication:
    return _decide(application_id, actor, reason, "approve")


@transaction.atomic
def application_reject(*, application_id, actor, reason: str) -> LoanApplication:
    return _decide(application_id, actor, reason, "reject")
