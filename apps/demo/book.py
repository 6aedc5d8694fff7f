"""A demo book with a history: a dozen borrowers whose loans were disbursed over the last three
months and repaid the way real borrowers repay (on time, late, after a bounce, not at all), so
every screen of the console has something true to show: overdue buckets, SMA and NPA loans,
worklists, thirty days of trends.

Everything goes through the same services and jobs as production: the business date starts
in the past and moves forward one day at a time; each day the due payments are made, bounces
recorded, and the nightly jobs run (close of business, reminders, the day's figures); the
outbox's events are dispatched as the worker would, so the close of business opens collection
cases, and the collectors call: late payers promise to pay (and keep it), bounced ones promise
too, and those who stopped promise and do not pay (a broken promise).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from apps.accounts.models import User
from apps.collections.cases import case_action_log
from apps.collections.models import CollectionCase
from apps.core.business_date import business_date_set, get_business_date
from apps.core.jobs_runner import run_job
from apps.core.outbox import events_dispatch
from apps.core.roles import Role
from apps.demo.identifiers import make_aadhaar, make_gstin, make_pan
from apps.invoices.services import invoice_add
from apps.kyc.bank_accounts import bank_account_add
from apps.kyc.models import Business
from apps.kyc.services import business_onboard
from apps.loans.models import Installment, Loan
from apps.loans.services import loan_sanction, offers_generate
from apps.repayments.services import emi_bounce, emi_pay

HISTORY_DAYS = 130
NIGHTLY_JOBS = ("npa_classification", "emi_reminders", "daily_metrics")


@dataclass(frozen=True)
class Borrower:
    legal_name: str
    owner_name: str
    city: str
    invoice: str  # rupees
    start_day: int  # days into the history when the loan is disbursed
    habit: str  # "on_time", "late" (pays 12 days late), "bounce" (a bounce, then pays), "stopped"
    pan_prefix: str = ""  # the sandbox's outcome by PAN prefix (docs/sandbox.md); "" verifies


BORROWERS = [
    Borrower("Kaveri Spices LLP", "Meera Nair", "Kochi", "640000.00", 2, "on_time"),
    Borrower("Northwind Auto Parts", "Harpreet Singh", "Ludhiana", "1250000.00", 5, "late"),
    Borrower("Deccan Printers", "Ravi Kulkarni", "Pune", "380000.00", 3, "stopped"),
    Borrower("Ganga Agro Foods", "Sunita Mishra", "Varanasi", "910000.00", 12, "bounce"),
    Borrower("Sabarmati Textiles", "Jignesh Patel", "Ahmedabad", "1480000.00", 20, "on_time"),
    Borrower("Coromandel Marine", "Arun Pillai", "Chennai", "2200000.00", 30, "late"),
    Borrower("Hooghly Jute Works", "Debashis Roy", "Kolkata", "560000.00", 40, "stopped"),
    Borrower("Malabar Cashew Co", "Fathima Beevi", "Kollam", "720000.00", 55, "on_time"),
    Borrower("Vindhya Cement Traders", "Alok Tiwari", "Jabalpur", "1890000.00", 70, "bounce"),
    Borrower("Konkan Fisheries", "Sachin Sawant", "Ratnagiri", "430000.00", 85, "on_time"),
    # KYC that ops must decide: the PAN name does not match.
    Borrower("Thar Handicrafts", "Kesar Rathore", "Jodhpur", "300000.00", 95, "on_time", pan_prefix="ZZM"),
]


def _onboard(index: int, spec: Borrower) -> Business:
    phone = f"+9198200{index:05d}"
    user = User.objects.filter(phone=phone).first() or User.objects.create(
        username=phone, phone=phone, role=Role.BORROWER
    )
    existing = Business.objects.filter(owner=user).first()
    if existing:
        return existing
    pan = (spec.pan_prefix or "DMO") + make_pan(500 + index)[3:]
    business = business_onboard(
        actor=user,
        legal_name=spec.legal_name,
        owner_name=spec.owner_name,
        gstin=make_gstin(pan, "27"),
        pan=pan,
        aadhaar=make_aadhaar(900 + index),
        address=f"{spec.city}, India",
        declared_turnover=Decimal(spec.invoice) * 20,
    )
    if business.kyc_status == Business.KycStatus.VERIFIED:
        # Where its loan pays out: verified by the sandbox's penny drop (docs/sandbox.md).
        bank_account_add(
            business=business,
            account_number=f"50200{700 + index:09d}",
            ifsc="ICIC0000104",
            holder_name=spec.legal_name,
            actor=user,
        )
    return business


def _lend(business: Business, spec: Borrower, index: int) -> Loan | None:
    if business.kyc_status != Business.KycStatus.VERIFIED:
        return None
    today = get_business_date()
    invoice = invoice_add(
        actor=business.owner,
        invoice_number=f"DM/{today:%y}/{index:03d}",
        invoice_date=today - datetime.timedelta(days=5),
        due_date=today + datetime.timedelta(days=120),
        buyer_gstin=make_gstin(make_pan(9000 + index), "29"),
        buyer_name="Bharat Retail Limited",
        amount=Decimal(spec.invoice),
    )
    if invoice.status != "VERIFIED":
        return None
    offers = {offer.type: offer for offer in offers_generate(invoice_id=invoice.pk, actor=business.owner)}
    return loan_sanction(offer_id=offers["UNSECURED"].pk, actor=business.owner)


def _repay(loans: dict, today: datetime.date) -> None:
    """Each borrower's habit, applied to what falls due (or fell due) today."""
    for spec, loan in loans.items():
        if spec.habit == "stopped":
            continue
        due_today = Installment.objects.filter(loan=loan, due_date=today).first()
        if spec.habit == "bounce" and due_today and due_today.number == 1:
            emi_bounce(installment_id=due_today.pk, code="01", actor=None)
            continue
        delay = {"on_time": 0, "late": 12, "bounce": 6}[spec.habit]
        for installment in Installment.objects.filter(loan=loan, due_date=today - datetime.timedelta(days=delay)):
            if installment.status != Installment.Status.PAID:
                emi_pay(installment_id=installment.pk, actor=loan.borrower, channel="NACH")


# What the collector hears on the first call, by habit: (outcome, days until the promised date),
# the promise matching when the borrower really pays (late: 12 days, bounce: 6).
FIRST_CALL = {"late": ("PROMISED", 11), "bounce": ("PROMISED", 5), "stopped": ("PROMISED", 3), "on_time": None}


def _call_new_cases(loans: dict, today: datetime.date) -> None:
    """The collector's first call on each case the night opened."""
    habit_of = {loan.pk: spec.habit for spec, loan in loans.items()}
    for case in CollectionCase.objects.filter(status=CollectionCase.Status.OPEN, assigned_to__isnull=False):
        outcome, days = FIRST_CALL.get(habit_of.get(case.loan_id)) or ("CONTACTED", None)
        promise = {}
        if days is not None:
            promise = {"ptp_amount": case.amount_overdue, "ptp_due_on": today + datetime.timedelta(days=days)}
        case_action_log(
            case_id=case.pk, actor=case.assigned_to, type="CALL", outcome=outcome, notes="first call", **promise
        )


def demo_book_build(*, end: datetime.date, stdout=None) -> int:
    """Walks the last HISTORY_DAYS days up to `end`. Only on a book with no closed day yet (the
    date cannot move behind one); returns the number of loans made."""
    start = end - datetime.timedelta(days=HISTORY_DAYS)
    business_date_set(date=start, reason="demo book: the history starts")
    loans: dict[Borrower, Loan] = {}
    businesses = {spec: _onboard(i, spec) for i, spec in enumerate(BORROWERS)}
    for offset in range(HISTORY_DAYS + 1):
        today = start + datetime.timedelta(days=offset)
        if offset:
            business_date_set(date=today, reason="demo book: next day")
        for i, spec in enumerate(BORROWERS):
            if spec.start_day == offset and spec not in loans:
                loan = _lend(businesses[spec], spec, i)
                if loan is not None:
                    loans[spec] = loan
        _repay(loans, today)
        for job in NIGHTLY_JOBS:
            run = run_job(job, business_date=today, triggered_by="demo")
            if run.status != "SUCCEEDED":
                raise RuntimeError(f"{job} on {today}: {run.error}")
            events_dispatch()  # what the worker does after the night's commit
        _call_new_cases(loans, today)
        if stdout and offset % 20 == 0:
            stdout.write(f"demo book: {today} ({len(loans)} loans)")
    return len(loans)
