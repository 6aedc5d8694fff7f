"""Payouts: recorded with the sanction, sent to the rail outside any transaction, settled once.

- `payout_record` writes the PENDING payout in the sanction's transaction.
- `payout_send` asks the rail with no transaction open (DESIGN.md "Money rails"). A definite
  answer settles the payout; no answer counts an attempt and schedules the next send with the
  same reference (the rail de-duplicates on it), which the `payout_retry` job makes; a PENDING
  answer marks the payout acknowledged and waits for the rail's webhook.
- `payout_settle` is the one way a payout ends, whoever tells us (the rail's answer, its
  webhook, ops' UTR): SUCCEEDED disburses the loan, FAILED cancels it and frees the invoice and
  the collateral. Told twice the same thing, it does nothing the second time.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from apps.audit.services import record
from apps.core.errors import Conflict, InvalidInput, found
from apps.core.http import require_no_transaction
from apps.invoices.models import Invoice
from apps.invoices.transitions import INVOICE_UNFINANCED
from apps.kyc.models import BankAccount
from apps.kyc.services import collateral_release
from apps.loans.models import Loan, Offer, Payout
from apps.loans.providers import PayoutRefused, PayoutUnreachable, get_payout_provider
from apps.loans.services.disbursement import loan_disburse
from apps.loans.transitions import LOAN_CANCELLED, OFFER_VOIDED, PAYOUT_FAILED, PAYOUT_SUCCEEDED

# Sends of a payout the rail never answered, and the wait before each next one. After the last
# the payout stays PENDING in the payouts worklist for ops (the rail's report, then a UTR or a
# failure).
RETRY_WAITS = (60, 300, 900, 3600, 3600, 3600)
SETTLED_BY = ("rail", "webhook", "ops")


def payout_reference(offer_id) -> str:
    """Names the offer, accepted at most once, not the loan: a new loan id on a retried sanction
    would be a new payout at the rail."""
    return f"offer-{offer_id}"


def payout_record(*, loan: Loan, bank_account: BankAccount, actor, idempotency_key: str = "") -> Payout:
    """The caller holds the sanction's transaction."""
    payout = Payout.objects.create(
        loan=loan,
        reference=payout_reference(loan.offer_id),
        amount=loan.disbursed_amount,
        bank_account=bank_account,
        created_by=actor if getattr(actor, "pk", None) else None,
        idempotency_key=idempotency_key[:255],
        next_attempt_at=timezone.now(),
    )
    record(
        "payout.created",
        obj=payout,
        after={"loan": str(loan.pk), "amount": str(payout.amount), "account": bank_account.account_last4},
        actor=actor,
    )
    return payout


def beneficiary(payout: Payout) -> dict:
    account = payout.bank_account
    return {
        "beneficiary_id": account.verification_reference,
        "name": account.holder_name,
        "ifsc": account.ifsc,
        "account_last4": account.account_last4,
    }


def payout_send(payout_id, *, actor=None) -> Payout:
    """Ask the rail to pay; a payout already settled or acknowledged is left as it is."""
    require_no_transaction("payout_send")
    payout = Payout.objects.select_related("bank_account").get(pk=payout_id)
    if payout.status != Payout.Status.PENDING or payout.acknowledged_at is not None:
        return payout
    try:
        result = get_payout_provider().disburse(
            reference=payout.reference, amount=payout.amount, beneficiary=beneficiary(payout)
        )
    except PayoutUnreachable as exc:
        return _unanswered(payout, str(exc), actor)
    except PayoutRefused as exc:
        return payout_settle(
            reference=payout.reference, succeeded=False, reason=str(exc), by="rail", actor=actor, sent=True
        )
    if result.status == Payout.Status.SUCCEEDED:
        return payout_settle(
            reference=payout.reference, succeeded=True, utr=result.utr, by="rail", actor=actor, sent=True
        )
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status == Payout.Status.PENDING and payout.acknowledged_at is None:
            payout.attempts += 1
            payout.acknowledged_at = timezone.now()
            payout.next_attempt_at = None
            payout.last_error = ""
            payout.save(update_fields=["attempts", "acknowledged_at", "next_attempt_at", "last_error", "updated_at"])
            record("payout.acknowledged", obj=payout, after={"status": "PENDING at the rail"}, actor=actor)
    return payout


def _unanswered(payout: Payout, error: str, actor) -> Payout:
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status != Payout.Status.PENDING or payout.acknowledged_at is not None:
            return payout  # settled meanwhile, by a webhook or by ops
        payout.attempts += 1
        payout.last_error = error[:255]
        waits = RETRY_WAITS[payout.attempts - 1] if payout.attempts <= len(RETRY_WAITS) else None
        payout.next_attempt_at = timezone.now() + datetime.timedelta(seconds=waits) if waits else None
        payout.save(update_fields=["attempts", "last_error", "next_attempt_at", "updated_at"])
        record(
            "payout.unanswered",
            obj=payout,
            after={"attempts": payout.attempts, "error": payout.last_error, "next": str(payout.next_attempt_at)},
            actor=actor,
        )
    return payout


@transaction.atomic
def payout_settle(
    *, reference: str, succeeded: bool, utr: str = "", reason: str = "", by: str, actor=None, sent: bool = False
) -> Payout:
    """`sent`: this is the answer to our send (counted in `attempts`)."""
    if by not in SETTLED_BY:
        raise ValueError(by)
    payout = found(Payout.objects.select_for_update().filter(reference=reference).first(), f"No payout {reference}.")
    utr = (utr or "").strip()[:64]
    if succeeded and not utr:  # the bank's proof that the money left
        raise InvalidInput("The bank's UTR of the payout is required.", field="utr")
    target = Payout.Status.SUCCEEDED if succeeded else Payout.Status.FAILED
    if payout.status == target and (not succeeded or payout.utr == utr):
        return payout  # told again what we know
    if payout.status != Payout.Status.PENDING:
        raise Conflict(
            f"The payout {reference} is already {payout.status}"
            + (f" with UTR {payout.utr}" if payout.utr else "")
            + ": reconcile it with the rail.",
            code="payout_settled",
        )
    loan = Loan.objects.select_for_update().get(pk=payout.loan_id)
    payout.attempts += int(sent)
    payout.next_attempt_at = None
    if succeeded:
        if Payout.objects.filter(utr=utr).exclude(pk=payout.pk).exists():
            raise Conflict(f"UTR {utr} already settled another payout.", code="utr_in_use")
        PAYOUT_SUCCEEDED.one(payout, utr=utr, by=by, actor=actor, reason=f"UTR {utr}, told by {by}")
        loan_disburse(loan=loan, utr=utr, actor=actor)
    else:
        reason = (reason or "payout failed").strip()
        PAYOUT_FAILED.one(payout, reason, by=by, actor=actor, reason=reason)
        _cancel_loan(loan, reason, actor)
    return payout


def _cancel_loan(loan: Loan, reason: str, actor) -> None:
    LOAN_CANCELLED.one(loan, actor=actor, reason=reason)
    # No money left the bank: the invoice may be financed again (its accepted offer is void) and
    # the collateral is free. Invoice before offer: the sanction's lock order.
    invoice = Invoice.objects.select_for_update().get(pk=loan.invoice_id)
    INVOICE_UNFINANCED.one(invoice, reason, actor=actor, reason=reason)
    offer = Offer.objects.select_for_update().get(pk=loan.offer_id)
    OFFER_VOIDED.one(offer, f"payout failed: {reason}", actor=actor)
    collateral_release(reference=loan.lien_reference, actor=actor)


def loan_payout_confirm(*, loan_id, succeeded: bool, utr: str = "", reason: str = "", actor=None) -> Loan:
    """Ops' fallback for a rail that never calls back: the UTR from its report, or its failure."""
    reference = found(
        Payout.objects.filter(loan_id=loan_id).values_list("reference", flat=True).first(), "No payout for this loan."
    )
    payout = payout_settle(reference=reference, succeeded=succeeded, utr=utr, reason=reason, by="ops", actor=actor)
    return Loan.objects.get(pk=payout.loan_id)


def payouts_due(now=None, limit: int = 500) -> list:
    """Pending payouts the rail has not acknowledged whose next send is due, oldest first."""
    return list(
        Payout.objects.filter(
            status=Payout.Status.PENDING, acknowledged_at__isnull=True, next_attempt_at__lte=now or timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def payouts_send(payout_ids, *, actor=None) -> dict:
    """Send each payout again (one at a time, no transaction open); how many came to what
    (`Payout.send_outcome`), and how many were sent."""
    counts = {"sent": 0, "succeeded": 0, "failed": 0, "unanswered": 0, "pending": 0}
    for payout_id in payout_ids:
        counts["sent"] += 1
        counts[payout_send(payout_id, actor=actor).send_outcome] += 1
    return counts


def payouts_retry(now=None) -> dict:
    """Send again each payout whose last send went unanswered (the job, every five minutes)."""
    return payouts_send(payouts_due(now))
