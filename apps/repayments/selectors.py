from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Sum
from django.db.models.functions import Coalesce

from apps.core.business_date import get_business_date
from apps.core.money import ZERO, round_money
from apps.ledger import chart
from apps.ledger.selectors import loan_balances
from apps.loans.models import Installment, Loan
from apps.repayments.models import Bounce, Repayment

# A loan never disbursed has no repayment behaviour to speak of.
NEVER_DISBURSED = [Loan.Status.SANCTIONED, Loan.Status.CANCELLED]


def repayment_signals(business_ids) -> dict:
    """Repayment behaviour per business for the credit score (the keys apps.risk.rules reads),
    in one grouped query: worst DPD over its loans, total bounces, number of loans."""
    rows = (
        Loan.objects.filter(business_id__in=list(business_ids))
        .exclude(status__in=NEVER_DISBURSED)
        .values("business_id")
        .annotate(loans=Count("id"), max_dpd=Max("dpd"), bounces=Coalesce(Sum("bounce_count"), 0))
    )
    return {row.pop("business_id"): row for row in rows}


def loan_history(*, loan_id) -> list[dict]:
    """A loan's repayments and bounces, newest first, as one list of history items."""
    items = [
        {
            "type": "REPAYMENT",
            "id": r.pk,
            "at": r.created_at,
            "business_date": r.business_date,
            "amount": r.amount,
            "detail": {
                "kind": r.kind,
                "penalty": str(r.penalty),
                "interest": str(r.interest),
                "principal": str(r.principal),
                "installment_id": str(r.installment_id or ""),
            },
        }
        for r in Repayment.objects.filter(loan_id=loan_id)
    ] + [
        {
            "type": "BOUNCE",
            "id": b.pk,
            "at": b.created_at,
            "business_date": b.business_date,
            "amount": b.charge + b.gst,
            "detail": {"code": b.return_code_id, "installment_id": str(b.installment_id)},
        }
        for b in Bounce.objects.filter(loan_id=loan_id)
    ]
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


@dataclass(frozen=True)
class ForeclosureQuote:
    principal: Decimal
    interest_to_date: Decimal
    charges: Decimal
    valid_on: date

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest_to_date + self.charges


def _broken_period_interest(loan: Loan, unpaid: list[Installment], today: date) -> tuple[Decimal, Decimal]:
    """(interest already due and unpaid, interest accrued since the last due date up to today)."""
    due_unpaid = sum((i.interest_due - i.interest_paid for i in unpaid if i.due_date <= today), ZERO)
    last_due = max([i.due_date for i in loan.installments.all() if i.due_date <= today] or [loan.disbursed_on])
    days = (today - last_due).days
    principal = loan.outstanding_principal
    accrued = round_money(principal * loan.annual_rate / Decimal(100) * days / Decimal(365))
    return due_unpaid, accrued


def foreclosure_quote(loan: Loan, *, today: date | None = None) -> ForeclosureQuote:
    today = today or get_business_date()
    unpaid = list(loan.installments.exclude(status=Installment.Status.PAID).order_by("number"))
    due_interest, accrued = _broken_period_interest(loan, unpaid, today)
    charges = sum((i.penalty_due - i.penalty_paid for i in unpaid), ZERO)
    return ForeclosureQuote(loan.outstanding_principal, due_interest + accrued, charges, today)


def outstanding_by_ledger(loan: Loan) -> dict:
    balances = loan_balances(loan.pk)
    return {
        "principal": balances.get(chart.LOAN_PRINCIPAL, ZERO),
        "interest": balances.get(chart.INTEREST_RECEIVABLE, ZERO),
        "penalty": balances.get(chart.CHARGES_RECEIVABLE, ZERO),
    }
