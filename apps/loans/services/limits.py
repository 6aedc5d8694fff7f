"""An ADMIN sets (or lifts) a business's sanctioned limit, with a reason, audited."""

from decimal import Decimal

from django.db import transaction

from apps.audit.services import record
from apps.core.errors import Forbidden, InvalidInput, explained_reason
from apps.core.money import round_money
from apps.core.roles import Role
from apps.kyc.models import Business
from apps.loans.models import CreditLimit


@transaction.atomic
def credit_limit_set(*, business: Business, amount: Decimal | None, reason: str, actor) -> CreditLimit | None:
    """`amount` None lifts the override: the limit follows the grade and bank data again."""
    if getattr(actor, "role", None) != Role.ADMIN:
        raise Forbidden("Only an ADMIN may override a sanctioned limit.")
    reason = explained_reason(reason)
    if amount is not None and amount < 0:
        raise InvalidInput("A limit is zero or more.", field="amount")
    current = CreditLimit.objects.select_for_update().filter(business=business).first()
    before = {"override": str(current.amount) if current else None}
    if amount is None:
        if current is not None:
            current.delete()
        record(
            "business.limit_overridden",
            obj=business,
            before=before,
            after={"override": None},
            actor=actor,
            reason=reason,
        )
        return None
    limit, _ = CreditLimit.objects.update_or_create(
        business=business, defaults={"amount": round_money(amount), "reason": reason, "set_by": actor}
    )
    record(
        "business.limit_overridden",
        obj=business,
        before=before,
        after={"override": str(limit.amount)},
        actor=actor,
        reason=reason,
    )
    return limit
