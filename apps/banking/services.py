"""Consents: asked of the aggregator, then kept in step with what it signs.

`consents_request` asks one consent per bank (an open one for the same bank is returned, not
asked again). `consents_refresh` asks the aggregator for each consent's status and moves ours
through its state machine to match, audited, with `banking.consent_changed` in the outbox.
The aggregator is always asked with no transaction open; only its verified claims are used.
"""

import logging

from celery import current_app
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from apps.audit.services import record
from apps.banking.jws import TokenRefused
from apps.banking.models import FI_TYPES, Consent
from apps.banking.providers import AggregatorUnavailable, get_aggregator
from apps.core.errors import InvalidInput, Unauthenticated, Unavailable
from apps.core.outbox import event_emit
from apps.kyc.selectors import onboarded_business

logger = logging.getLogger(__name__)

DEFAULT_PURPOSE = "Underwriting and monitoring of invoice finance"


def aggregator_down() -> Unavailable:
    return Unavailable("The account aggregator is not answering; try again.", code="aggregator_unavailable")


def consents_request(*, actor, banks: list[str], fi_types: list[str], months: int, purpose: str = "") -> list:
    business = onboarded_business(actor)
    if not set(fi_types) <= set(FI_TYPES):
        raise InvalidInput(f"Only {', '.join(FI_TYPES)}.", field="fi_types")
    aggregator = get_aggregator()
    try:
        known = {bank.id for bank in aggregator.banks()}
    except AggregatorUnavailable:
        raise aggregator_down() from None
    unknown = sorted(set(banks) - known)
    if unknown:
        raise InvalidInput(f"Not a bank the aggregator reaches: {', '.join(unknown)}.", field="banks")
    return [
        _consent_for(business, bank, aggregator, fi_types, months, purpose or DEFAULT_PURPOSE, actor)
        for bank in dict.fromkeys(banks)
    ]


def _open_consent(business, bank) -> Consent | None:
    return Consent.objects.filter(business=business, bank=bank, status__in=Consent.OPEN_STATUSES).first()


def _consent_for(business, bank, aggregator, fi_types, months, purpose, actor) -> Consent:
    existing = _open_consent(business, bank)
    if existing is not None:
        return existing
    try:
        asked = aggregator.consent_request(
            bank=bank, customer_ref=business.pan, fi_types=fi_types, months=months, purpose=purpose
        )
    except AggregatorUnavailable:
        raise aggregator_down() from None
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                business=business,
                bank=bank,
                consent_handle=asked.consent_handle,
                approval_url=asked.approval_url,
                fi_types=fi_types,
                months=months,
                purpose=purpose,
                expires_at=asked.expires_at,
            )
            record("banking.consent_requested", obj=consent, after={"bank": bank, "months": months}, actor=actor)
    except IntegrityError:
        # Another request asked for the same bank at the same moment: theirs stands.
        return _open_consent(business, bank)
    return consent


def consent_follow(*, consent_id, claims: dict, actor=None) -> Consent:
    """Moves our consent to the status the aggregator signed, through the state machine."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent_id)
        consent.last_polled_at = timezone.now()
        target = claims.get("status")
        # The transition that takes ours from where it is to where the aggregator says, as the
        # state machine defines it (none: a move it does not allow).
        moves = consent.get_available_status_transitions()
        move = next((t.name for t in moves if t.target == target), None)
        if move is None:
            if target != consent.status:
                # A move the machine does not allow (REJECTED after ACTIVE): the aggregator's word is
                # logged, ours is kept, and ops see both in the audit trail.
                logger.warning("aggregator says %s for consent %s (ours %s)", target, consent.pk, consent.status)
            consent.save(update_fields=["last_polled_at", "updated_at"])
            return consent
        before = consent.status
        getattr(consent, move)()
        consent.artefact = claims
        consent.status_changed_at = consent.last_polled_at
        consent.save()
        change = {"status": consent.status, "bank": consent.bank}
        record("banking.consent_changed", obj=consent, before={"status": before}, after=change, actor=actor)
        event_emit(
            "banking.consent_changed", aggregate=consent, payload={**change, "business_id": str(consent.business_id)}
        )
    return consent


def consents_refresh(*, consents, actor=None) -> list[Consent]:
    """Asks the aggregator about each consent and follows its answer; one that cannot be asked
    (aggregator down, token refused) keeps its state and is asked again next time."""
    aggregator = get_aggregator()
    followed = []
    for consent in consents:
        try:
            claims = aggregator.consent_status(consent.consent_handle)
        except (AggregatorUnavailable, TokenRefused) as exc:
            logger.warning("consent %s not refreshed: %s", consent.pk, exc)
            followed.append(consent)
            continue
        if claims.get("consent_handle") != consent.consent_handle:
            logger.warning("aggregator answered for %s when asked about %s", claims.get("consent_handle"), consent.pk)
            followed.append(consent)
            continue
        followed.append(consent_follow(consent_id=consent.pk, claims=claims, actor=actor))
    return followed


def my_consents_refresh(*, actor) -> list[Consent]:
    business = onboarded_business(actor)
    pending = list(business.consents.filter(status=Consent.Status.PENDING))
    consents_refresh(consents=pending, actor=actor)
    return list(business.consents.all())


def consents_poll(*, limit: int = 500) -> dict[str, int]:
    """The beat job's work: every consent the aggregator may still change, least recently asked
    first (pending ones wait for approval; active and paused ones may be paused or revoked)."""
    due = list(
        Consent.objects.filter(status__in=Consent.OPEN_STATUSES).order_by(
            F("last_polled_at").asc(nulls_first=True), "created_at"
        )[:limit]
    )
    before = {c.pk: c.status for c in due}
    after = consents_refresh(consents=due)
    return {"polled": len(after), "changed": sum(1 for c in after if c.status != before[c.pk])}


def notification_receive(*, token: str) -> str | None:
    """The aggregator tells us a consent changed: a signed token naming it. Its signature is
    checked here (a forgery is a 401); what it says is not taken as it stands: a worker asks the
    aggregator for the consent's status and follows that (apps/banking/tasks.py), so a replayed
    or reordered notification changes nothing it should not. The handle, if it is ours."""
    try:
        claims = get_aggregator().notification_claims(token)
    except TokenRefused:
        raise Unauthenticated("The notification's signature does not verify.", code="signature_invalid") from None
    handle = str(claims.get("consent_handle", ""))
    if not Consent.objects.filter(consent_handle=handle).exists():
        logger.warning("aggregator notified us of a consent we do not hold: %s", handle[:64])
        return None
    transaction.on_commit(lambda: _refresh_later(handle))
    return handle


def _refresh_later(handle: str) -> None:
    try:
        current_app.send_task("banking.consent_notified", args=[handle])  # apps/banking/tasks.py
    except Exception:  # the broker is down: the ten-minute poll follows the consent instead
        logger.warning("consent %s notification not queued; the poll will follow it", handle, exc_info=True)


def consent_notified(*, consent_handle: str) -> None:
    consents_refresh(consents=list(Consent.objects.filter(consent_handle=consent_handle)))
