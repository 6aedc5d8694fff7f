"""Screening an action against the fraud rules, and ops' review of the alerts they raise.

`fraud_screen(facts)` evaluates the rules for the action (apps/risk/fraud_rules.py). For each hit:
- an OPEN alert of that rule on that subject holds the action (REVIEW, 409 `held_for_review`)
  or refuses it (BLOCK, 403 `blocked`);
- a CLEARED one lets it through (a velocity rule's clearance lasts its window only);
- otherwise a new OPEN alert is raised (audited, and `risk.alert_raised` in the outbox), in its
  own transaction: it stays even though the action it stopped does not happen.
Before any rule, a CONFIRMED alert on anything the action involves (the business, the user, the
invoice, the device, the bank account, the address) refuses it: confirmed fraud stays refused.
Only REVIEW and BLOCK are ever raised; an action no rule hits is allowed without a record.
"""

from constance import config
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.audit.services import record
from apps.core.errors import Conflict, Forbidden, NotFound
from apps.core.outbox import event_emit
from apps.risk.fraud_rules import BLOCK, Facts, Hit, evaluate
from apps.risk.models import RiskAlert

THRESHOLDS = (
    "FRAUD_INVOICE_TURNOVER_RATIO",
    "FRAUD_INTENT_BURST_COUNT",
    "FRAUD_INTENT_BURST_MINUTES",
    "FRAUD_OTP_PHONES_PER_IP",
    "FRAUD_OTP_BURST_MINUTES",
    "FRAUD_NEW_DEVICE_MINUTES",
    "FRAUD_NEW_ACCOUNT_HOURS",
)


class HeldForReview(Conflict):
    code = "held_for_review"


class Blocked(Forbidden):
    code = "blocked"


def thresholds() -> dict:
    return {name: getattr(config, name) for name in THRESHOLDS}


def _latest(hit: Hit) -> RiskAlert | None:
    alerts = RiskAlert.objects.filter(rule=hit.rule, subject_type=hit.subject_type, subject_id=hit.subject_id)
    return alerts.order_by("-created_at").first()


def _clearance_holds(alert: RiskAlert, hit: Hit) -> bool:
    return hit.window is None or alert.reviewed_at > timezone.now() - hit.window


@transaction.atomic
def _raise(hit: Hit, facts: Facts, actor) -> RiskAlert:
    alert, created = RiskAlert.objects.get_or_create(
        rule=hit.rule,
        subject_type=hit.subject_type,
        subject_id=hit.subject_id,
        status=RiskAlert.Status.OPEN,
        defaults={
            "action": facts.action,
            "business_id": facts.business_id or None,
            "evidence": hit.evidence,
            "decision": hit.decision,
        },
    )
    if created:
        after = {"rule": hit.rule, "decision": hit.decision, "subject": f"{hit.subject_type}:{hit.subject_id}"}
        record("risk.alert_raised", obj=alert, after=after, actor=actor)
        event_emit("risk.alert_raised", aggregate=alert, payload={**after, "action": facts.action})
    return alert


def _confirmed_against(facts: Facts) -> list[RiskAlert]:
    """Confirmed fraud on anything this action involves: refused whatever the rules say now
    (a confirmed burst from an address stays refused after its window)."""
    subjects = Q()
    for subject_type, subject_id in (
        ("business", facts.business_id),
        ("user", facts.user_id),
        ("invoice", facts.invoice_id),
        ("device", facts.device_id),
        ("bank_account", facts.bank_account_id),
        ("ip", facts.ip),
    ):
        if subject_id:
            subjects |= Q(subject_type=subject_type, subject_id=subject_id)
    if not subjects:
        return []
    return list(RiskAlert.objects.filter(subjects, status=RiskAlert.Status.CONFIRMED)[:5])


def _alerts_extra(alerts) -> dict:
    return {"alerts": [{"id": str(a.pk), "rule": a.rule, "status": a.status} for a in alerts]}


def fraud_screen(facts: Facts, *, actor=None) -> None:
    """Raises HeldForReview or Blocked when the action must not go on now; returns otherwise."""
    confirmed = _confirmed_against(facts)
    if confirmed:
        raise Blocked("This was refused by our fraud checks.", extra=_alerts_extra(confirmed))
    against = []
    for hit in evaluate(facts, thresholds()):
        alert = _latest(hit)
        if alert is not None and alert.status == RiskAlert.Status.CLEARED and _clearance_holds(alert, hit):
            continue
        if alert is None or alert.status == RiskAlert.Status.CLEARED:
            alert = _raise(hit, facts, actor)
        against.append(alert)
    if not against:
        return
    extra = _alerts_extra(against)
    if any(a.status == RiskAlert.Status.CONFIRMED or a.decision == BLOCK for a in against):
        raise Blocked("This was refused by our fraud checks.", extra=extra)
    raise HeldForReview("This is held for a review by our team; try again once it is cleared.", extra=extra)


def _review(riskalert_id, actor, reason: str, transition: str, action: str) -> RiskAlert:
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().filter(pk=riskalert_id).first()
        if alert is None:
            raise NotFound("Risk alert not found.")
        if alert.status != RiskAlert.Status.OPEN:
            raise Conflict(f"The alert is already {alert.status}.", code="alert_state")
        getattr(alert, transition)(by=actor, note=reason)
        alert.save()
        record(action, obj=alert, after={"status": alert.status, "note": alert.review_note}, actor=actor)
        event_emit(action, aggregate=alert, payload={"rule": alert.rule, "status": alert.status})
    return alert


def risk_alert_clear(*, riskalert_id, actor, reason: str) -> RiskAlert:
    """Ops found nothing wrong: the held action may be tried again and goes through."""
    return _review(riskalert_id, actor, reason, "clear", "risk.alert_cleared")


def risk_alert_confirm(*, riskalert_id, actor, reason: str) -> RiskAlert:
    """Ops confirm fraud: the subject stays refused for this rule."""
    return _review(riskalert_id, actor, reason, "confirm", "risk.alert_confirmed")
