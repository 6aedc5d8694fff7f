"""EMI schedules as pure functions: no database, so they can be property-tested exhaustively.

Reducing balance (DESIGN.md): monthly rate i = annual_rate / 1200;
EMI = P·i·(1+i)^n / ((1+i)^n - 1) rounded to paise; each installment's interest is
round(opening_balance · i); principal is EMI - interest; the last installment takes whatever
principal remains, so the schedule's principal sums to P exactly.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal, localcontext

from apps.core.money import ZERO, round_money, split_amount


class InterestMethod:
    REDUCING_BALANCE = "REDUCING_BALANCE"
    FLAT = "FLAT"
    BULLET = "BULLET"


@dataclass(frozen=True)
class ScheduleLine:
    number: int
    due_date: datetime.date
    opening_principal: Decimal
    principal: Decimal
    interest: Decimal

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest

    @property
    def closing_principal(self) -> Decimal:
        return self.opening_principal - self.principal


def add_months(start: datetime.date, months: int) -> datetime.date:
    """`start` moved by whole months, clamped to the month's end (31 Jan + 1 → 28/29 Feb).

    Always computed from the original date, so 31 Jan → 28 Feb → 31 Mar, never drifting to the 28th.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def monthly_rate(annual_rate: Decimal) -> Decimal:
    return Decimal(annual_rate) / Decimal(1200)


def annuity(principal: Decimal, i: Decimal, months: int) -> Decimal:
    """The level payment that repays `principal` over `months` at the monthly rate `i`, unrounded
    (what refinance solves for a rate; emi_amount rounds it)."""
    principal = Decimal(principal)
    if i == 0:
        return principal / months
    with localcontext() as ctx:
        ctx.prec = 40  # (1+i)^n for n up to a few hundred needs more than the default 28 digits
        growth = (1 + i) ** months
        return principal * i * growth / (growth - 1)


def present_value(payment: Decimal, i: Decimal, months: int) -> Decimal:
    """What `months` payments of `payment` are worth at the monthly rate `i`: the principal they
    repay. Unrounded."""
    if i == 0:
        return payment * months
    with localcontext() as ctx:
        ctx.prec = 40
        return payment * (1 - (1 + i) ** -months) / i


def emi_amount(principal: Decimal, annual_rate: Decimal, months: int) -> Decimal:
    """The level monthly installment, rounded to paise."""
    if months <= 0:
        raise ValueError("tenure must be at least one month")
    return round_money(annuity(principal, monthly_rate(annual_rate), months))


def reducing_balance_schedule(
    principal: Decimal, annual_rate: Decimal, months: int, disbursed_on: datetime.date
) -> list[ScheduleLine]:
    principal = round_money(principal)
    i = monthly_rate(annual_rate)
    emi = emi_amount(principal, annual_rate, months)
    lines, balance = [], principal
    for number in range(1, months + 1):
        interest = round_money(balance * i)
        part = balance if number == months else min(balance, max(ZERO, emi - interest))
        lines.append(ScheduleLine(number, add_months(disbursed_on, number), balance, part, interest))
        balance -= part
    return lines


def flat_schedule(
    principal: Decimal, annual_rate: Decimal, months: int, disbursed_on: datetime.date
) -> list[ScheduleLine]:
    """Flat rate: interest on the original principal for the whole tenure, spread evenly."""
    principal = round_money(principal)
    total_interest = round_money(principal * Decimal(annual_rate) / 100 * months / 12)
    principals = split_amount(principal, [1] * months)
    interests = split_amount(total_interest, [1] * months) if total_interest > 0 else [ZERO] * months
    lines, balance = [], principal
    for number, (part, interest) in enumerate(zip(principals, interests, strict=True), start=1):
        lines.append(ScheduleLine(number, add_months(disbursed_on, number), balance, part, interest))
        balance -= part
    return lines


def bullet_schedule(
    principal: Decimal, annual_rate: Decimal, months: int, disbursed_on: datetime.date
) -> list[ScheduleLine]:
    """Interest every month, the whole principal with the last installment."""
    principal = round_money(principal)
    interest = round_money(principal * monthly_rate(annual_rate))
    return [
        ScheduleLine(n, add_months(disbursed_on, n), principal, principal if n == months else ZERO, interest)
        for n in range(1, months + 1)
    ]


SCHEDULERS = {
    InterestMethod.REDUCING_BALANCE: reducing_balance_schedule,
    InterestMethod.FLAT: flat_schedule,
    InterestMethod.BULLET: bullet_schedule,
}


def build_schedule(
    method: str, principal: Decimal, annual_rate: Decimal, months: int, disbursed_on: datetime.date
) -> list[ScheduleLine]:
    """The schedule for a loan disbursed on `disbursed_on`: installment n falls due n months later,
    each computed from the disbursement date so month-end dates never drift (31 Jan → 28 Feb → 31 Mar)."""
    return SCHEDULERS[method](principal, annual_rate, months, disbursed_on)
