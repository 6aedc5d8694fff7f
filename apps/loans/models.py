from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.inr import inr
from apps.core.models import BaseModel, RequestedWithKey
from apps.core.money import ZERO, MoneyField
from apps.core.references import reference_field
from apps.loans.schedule import InterestMethod
from apps.risk.rules import GRADE_LETTERS

ALLOCATION_PARTS = ("penalty", "interest", "principal")


def default_allocation_order():
    return list(ALLOCATION_PARTS)


class LoanProduct(BaseModel):
    """Pricing and rules of a loan product, edited by ADMIN in the admin."""

    class Method(models.TextChoices):
        REDUCING_BALANCE = InterestMethod.REDUCING_BALANCE, "Reducing balance EMI"
        FLAT = InterestMethod.FLAT, "Flat rate"
        BULLET = InterestMethod.BULLET, "Bullet (interest monthly, principal at the end)"

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    interest_method = models.CharField(max_length=24, choices=Method.choices, default=Method.REDUCING_BALANCE)
    # Annual rate (%) per credit grade; a grade missing here is not lent to.
    rate_bands = models.JSONField(help_text='Annual rate % by grade, e.g. {"A": "14.00", "B": "16.50"}')
    secured_advance_pct = models.DecimalField(max_digits=5, decimal_places=2)
    unsecured_advance_pct = models.DecimalField(max_digits=5, decimal_places=2)
    secured_rate_discount_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("1.00"))
    tenure_months = models.PositiveSmallIntegerField()
    processing_fee_pct = models.DecimalField(max_digits=5, decimal_places=2)
    gst_rate_pct = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("18.00"))
    bounce_charge = MoneyField()
    penal_rate_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("24.00"), help_text="Annual % on overdue amounts"
    )
    allocation_order = models.JSONField(default=default_allocation_order)
    offer_validity_hours = models.PositiveSmallIntegerField(default=72)
    min_principal = MoneyField()
    max_principal = MoneyField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_principal__gt=0) & Q(max_principal__gte=models.F("min_principal")),
                name="ck_product_principal_range",
            ),
            models.CheckConstraint(
                condition=Q(tenure_months__gte=1) & Q(tenure_months__lte=360), name="ck_product_tenure"
            ),
            models.CheckConstraint(
                condition=Q(secured_advance_pct__gt=0, secured_advance_pct__lte=100)
                & Q(unsecured_advance_pct__gt=0, unsecured_advance_pct__lte=100),
                name="ck_product_advance_pct",
            ),
            models.CheckConstraint(
                condition=Q(processing_fee_pct__gte=0, processing_fee_pct__lte=10), name="ck_product_fee_pct"
            ),
            models.CheckConstraint(condition=Q(bounce_charge__gte=0), name="ck_product_bounce_charge"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def clean(self):
        bands = self.rate_bands if isinstance(self.rate_bands, dict) else None
        if not bands or any(grade not in GRADE_LETTERS for grade in bands):
            raise ValidationError({"rate_bands": f"a mapping of grades {', '.join(GRADE_LETTERS)} to annual rates"})
        for grade, rate in bands.items():
            try:
                value = Decimal(str(rate))
            except ArithmeticError:
                raise ValidationError({"rate_bands": f"grade {grade}: not a number"}) from None
            if not Decimal("0") <= value <= Decimal("60"):
                raise ValidationError({"rate_bands": f"grade {grade}: rate must be between 0 and 60"})
        if sorted(self.allocation_order or []) != sorted(ALLOCATION_PARTS):
            raise ValidationError({"allocation_order": f"an ordering of {', '.join(ALLOCATION_PARTS)}"})

    def rate_for_grade(self, grade: str) -> Decimal | None:
        rate = (self.rate_bands or {}).get(grade)
        return Decimal(str(rate)) if rate is not None else None


class Offer(FSMModelMixin, BaseModel):
    """A priced proposal to finance one invoice; two per invoice (SECURED and UNSECURED)."""

    class Type(models.TextChoices):
        SECURED = "SECURED"
        UNSECURED = "UNSECURED"

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE"
        ACCEPTED = "ACCEPTED"
        EXPIRED = "EXPIRED"
        WITHDRAWN = "WITHDRAWN"

    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.PROTECT, related_name="offers")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="offers")
    # The application the offer answers (None for one made by POST /offers/generate alone).
    application = models.ForeignKey(
        "LoanApplication", null=True, blank=True, on_delete=models.PROTECT, related_name="offers"
    )
    type = models.CharField(max_length=16, choices=Type.choices)
    principal = MoneyField()
    annual_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tenure_months = models.PositiveSmallIntegerField()
    emi = MoneyField("EMI")
    processing_fee = MoneyField()
    fee_gst = MoneyField("GST on fee")
    credit_grade = models.CharField(max_length=1)
    credit_score = models.PositiveSmallIntegerField()
    valid_until = models.DateTimeField(db_index=True)
    collaterals = models.ManyToManyField("kyc.Collateral", blank=True, related_name="offers")
    status = FSMField(default=Status.ACTIVE, choices=Status.choices, protected=True, db_index=True)
    status_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["invoice", "type"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="ck_offer_principal_positive"),
            models.CheckConstraint(
                condition=Q(processing_fee__gte=0, fee_gst__gte=0, emi__gt=0), name="ck_offer_amounts"
            ),
            # At most one live offer of each type per invoice, whatever races happen.
            models.UniqueConstraint(
                fields=["invoice", "type"], condition=Q(status="ACTIVE"), name="uq_offer_active_per_type"
            ),
            models.UniqueConstraint(fields=["invoice"], condition=Q(status="ACCEPTED"), name="uq_offer_one_accepted"),
        ]

    def __str__(self):
        return f"{self.type} {self.principal} @ {self.annual_rate}%"

    @transition(field=status, source=Status.ACTIVE, target=Status.ACCEPTED)
    def accept(self):
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.WITHDRAWN)
    def withdraw(self, reason: str):
        self.status_reason = reason

    @transition(field=status, source=Status.ACTIVE, target=Status.EXPIRED)
    def expire(self):
        self.status_reason = "validity ended"

    @transition(field=status, source=Status.ACCEPTED, target=Status.WITHDRAWN)
    def void(self, reason: str):
        """The loan it became was never paid out (its payout failed): the acceptance is void, so
        the invoice can be offered and accepted again."""
        self.status_reason = reason[:255]


def has_unpaid_installments(loan) -> bool:
    """A condition of Loan.record_bounce: a bounce is of an installment not yet paid."""
    return loan.installments.exclude(status=Installment.Status.PAID).exists()


class Loan(FSMModelMixin, BaseModel):
    """A sanctioned loan. Status moves only through the transitions below, called by services;
    `asset_classification` is set only by the nightly close of business."""

    class Status(models.TextChoices):
        SANCTIONED = "SANCTIONED"
        ACTIVE = "ACTIVE"
        OVERDUE = "OVERDUE"
        DEFAULTED = "DEFAULTED"
        CLOSED = "CLOSED"
        WRITTEN_OFF = "WRITTEN_OFF"
        CANCELLED = "CANCELLED"

    REFERENCE_PREFIX, REFERENCE_SEQUENCE = "LN", "loans_loan_reference_seq"

    class Classification(models.TextChoices):
        STANDARD = "STANDARD", "Standard"
        SMA_0 = "SMA_0", "SMA-0"
        SMA_1 = "SMA_1", "SMA-1"
        SMA_2 = "SMA_2", "SMA-2"
        NPA = "NPA", "NPA"

    class PayoutStatus(models.TextChoices):
        PENDING = "PENDING"
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"

    reference = reference_field(REFERENCE_PREFIX, REFERENCE_SEQUENCE)
    borrower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="loans")
    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="loans")
    # One live loan per invoice (uq_loan_invoice_not_cancelled): a loan whose payout failed is
    # CANCELLED and the invoice may be financed again.
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.PROTECT, related_name="loans")
    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="loan")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="loans")
    offer_type = models.CharField(max_length=16, choices=Offer.Type.choices)
    # The offer's grade, copied at sanction (it never changes after): the portfolio's risk
    # distribution groups the live book by it in the same pass as the rest, without joining a
    # million offers.
    credit_grade = models.CharField(max_length=1, blank=True, default="", db_default="")
    principal = MoneyField()
    annual_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tenure_months = models.PositiveSmallIntegerField()
    interest_method = models.CharField(max_length=24, choices=LoanProduct.Method.choices)
    emi = MoneyField("EMI")
    processing_fee = MoneyField()
    fee_gst = MoneyField("GST on fee")
    disbursed_amount = MoneyField()
    sanctioned_on = models.DateField()
    disbursed_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    status = FSMField(default=Status.SANCTIONED, choices=Status.choices, protected=True, db_index=True)
    asset_classification = models.CharField(
        "classification", max_length=8, choices=Classification.choices, default=Classification.STANDARD, db_index=True
    )
    dpd = models.PositiveIntegerField("DPD", default=0)
    bounce_count = models.PositiveIntegerField(default=0)
    outstanding_principal = MoneyField()
    outstanding_interest = MoneyField(default=ZERO)
    outstanding_penalty = MoneyField(default=ZERO)
    # The part of outstanding_interest held in suspense because the loan is (or was) NPA:
    # income is recognised only when it is paid (RBI income recognition).
    interest_suspense = MoneyField(default=ZERO)
    # The part of outstanding_penalty that is penal charges accrued while the loan was NPA: held
    # in suspense (ledger 2210) and income only as it is paid.
    penal_suspense = MoneyField(default=ZERO)
    payout_status = models.CharField(max_length=16, choices=PayoutStatus.choices, default=PayoutStatus.PENDING)
    payout_utr = models.CharField("payout UTR", max_length=64, blank=True)
    contract_key = models.CharField(max_length=255, blank=True, help_text="Storage object key, never a URL")
    contract_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(principal__gt=0), name="ck_loan_principal_positive"),
            models.UniqueConstraint(
                fields=["invoice"], condition=~Q(status="CANCELLED"), name="uq_loan_invoice_not_cancelled"
            ),
            models.CheckConstraint(
                condition=Q(outstanding_principal__gte=0, outstanding_interest__gte=0, outstanding_penalty__gte=0),
                name="ck_loan_outstanding_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(outstanding_principal__lte=models.F("principal")), name="ck_loan_outstanding_le_principal"
            ),
            models.CheckConstraint(
                condition=Q(interest_suspense__gte=0, interest_suspense__lte=models.F("outstanding_interest")),
                name="ck_loan_suspense_within_interest",
            ),
            models.CheckConstraint(
                condition=Q(penal_suspense__gte=0, penal_suspense__lte=models.F("outstanding_penalty")),
                name="ck_loan_penal_suspense_within_penalty",
            ),
            models.CheckConstraint(
                condition=Q(disbursed_amount=models.F("principal") - models.F("processing_fee") - models.F("fee_gst")),
                name="ck_loan_disbursed_net_of_fees",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "asset_classification"], name="ix_loan_status_class"),
            # The admin's changelist order (newest first, pk as tie-break) read from an index.
            models.Index(fields=["created_at", "id"], name="ix_loan_created"),
            # Worklists: payouts pending or failed; overdue loans, most days past due first.
            models.Index(
                fields=["created_at"], condition=Q(payout_status__in=["PENDING", "FAILED"]), name="ix_loan_payout_open"
            ),
            models.Index(fields=["-dpd", "id"], condition=Q(dpd__gt=0), name="ix_loan_overdue"),
            # The daily MIS counts a day's sanctions and disbursals.
            models.Index(fields=["sanctioned_on"], name="ix_loan_sanctioned_on"),
            models.Index(fields=["disbursed_on"], condition=Q(disbursed_on__isnull=False), name="ix_loan_disbursed_on"),
        ]
        permissions = [("override_loan", "Can override a loan's status (ADMIN)")]

    def __str__(self):
        return self.reference if isinstance(self.reference, str) else f"Loan {str(self.pk)[:8]}"

    @property
    def lien_reference(self) -> str:
        """The reference its collateral is pledged under, and released by."""
        return f"loan:{self.pk}"

    # The live loans: disbursed, not yet closed, written off or cancelled. They take payments and
    # bounces, accrue interest, are classified by the close of business and count in the book.
    # The one definition: SQL receives it as a parameter, reports build their Q from it.
    LIVE_STATUSES = (Status.ACTIVE, Status.OVERDUE, Status.DEFAULTED)

    @property
    def is_live(self) -> bool:
        return self.status in Loan.LIVE_STATUSES

    @transition(field=status, source=Status.SANCTIONED, target=Status.ACTIVE)
    def disburse(self, *, on, utr: str):
        self.disbursed_on = on
        self.payout_status = Loan.PayoutStatus.SUCCEEDED
        self.payout_utr = utr

    @transition(field=status, source=Status.SANCTIONED, target=Status.CANCELLED)
    def cancel(self):
        self.payout_status = Loan.PayoutStatus.FAILED

    # The next four are also taken set-based by the close of business (apps/loans/transitions.py).
    @transition(field=status, source=Status.ACTIVE, target=Status.OVERDUE)
    def mark_overdue(self):
        pass

    @transition(field=status, source=Status.OVERDUE, target=Status.ACTIVE)
    def mark_current(self):
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.OVERDUE], target=Status.DEFAULTED)
    def mark_defaulted(self):
        pass

    @transition(field=status, source=Status.DEFAULTED, target=Status.ACTIVE)
    def upgrade(self):
        """The NPA upgrade: every arrear paid, decided by the close of business."""

    @property
    def outstanding_total(self) -> Decimal:
        """What the loan owes: principal, interest and charges outstanding."""
        return self.outstanding_principal + self.outstanding_interest + self.outstanding_penalty

    @transition(field=status, source=LIVE_STATUSES, target=None, conditions=[has_unpaid_installments])
    def record_bounce(self, *, charge):
        """A NACH return on a live loan: its charge is owed and counted. The status stays; a
        second bounce then defaults a performing loan (repayments.services.emi_bounce)."""
        self.outstanding_penalty += charge
        self.bounce_count += 1

    @transition(field=status, source=LIVE_STATUSES, target=Status.CLOSED)
    def close(self, *, on):
        self.closed_on = on

    @transition(field=status, source=Status.DEFAULTED, target=Status.WRITTEN_OFF)
    def write_off(self, *, on):
        self.closed_on = on

    # The ADMIN override: the one audited exception to the graph above, a judgement corrected by
    # hand with a reason, taken only through apps.loans.transitions.loan_status_override. States
    # that depend on money (CLOSED, WRITTEN_OFF) are no target: repayment, recovery or write-off
    # reach them, so the books follow.
    @transition(field=status, source=Status.SANCTIONED, target=Status.CANCELLED)
    def override_to_cancelled(self):
        pass

    @transition(field=status, source=[Status.OVERDUE, Status.DEFAULTED], target=Status.ACTIVE)
    def override_to_active(self):
        pass

    @transition(field=status, source=Status.DEFAULTED, target=Status.OVERDUE)
    def override_to_overdue(self):
        pass

    @transition(field=status, source=[Status.ACTIVE, Status.OVERDUE], target=Status.DEFAULTED)
    def override_to_defaulted(self):
        pass


class Payout(FSMModelMixin, RequestedWithKey, BaseModel):
    """The money a sanctioned loan pays out, as the rail sees it. Written in the sanction's
    transaction, before the rail is asked: `reference` (the offer, accepted at most once) is what
    the rail de-duplicates on, so a send retried after a timeout cannot pay twice. The rail's
    answer, its webhook or ops' UTR settles it; SUCCEEDED disburses the loan, FAILED cancels it.

    It goes to a VERIFIED bank account of the borrower, named to the rail by the beneficiary id
    its penny drop returned (`BankAccount.verification_reference`): the full number is never
    kept here (apps/kyc/bank_accounts.py)."""

    # The loan keeps its payout's state too (Loan.payout_status): one set of choices for both.
    Status = Loan.PayoutStatus

    loan = models.OneToOneField(Loan, on_delete=models.PROTECT, related_name="payout")
    reference = models.CharField(max_length=64, unique=True)
    amount = MoneyField()
    bank_account = models.ForeignKey("kyc.BankAccount", on_delete=models.PROTECT, related_name="payouts")
    status = FSMField(default=Status.PENDING, choices=Status.choices, protected=True)
    utr = models.CharField("UTR", max_length=64, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    # The rail's sends: how many, the last error (a timeout leaves the outcome unknown, so the
    # send is repeated with the same reference), when the rail last acknowledged it.
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.CharField(max_length=16, blank=True, help_text="rail, webhook or ops")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="ck_payout_amount_positive"),
            models.UniqueConstraint(fields=["utr"], condition=~Q(utr=""), name="uq_payout_utr"),
            RequestedWithKey.key_constraint("uq_payout_key"),
        ]
        indexes = [
            # The retry sweep: pending payouts the rail has not acknowledged, by when they are due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="PENDING", acknowledged_at__isnull=True),
                name="ix_payout_unsent",
            ),
            models.Index(fields=["status", "created_at"], name="ix_payout_status"),
        ]

    def __str__(self):
        return self.reference

    @property
    def send_outcome(self) -> str:
        """What the last send came to: succeeded, failed, pending (the rail acknowledged it and
        its webhook will settle it) or unanswered (to be sent again)."""
        if self.status != Payout.Status.PENDING:
            return str(self.status).lower()
        return "pending" if self.acknowledged_at else "unanswered"

    @transition(field=status, source=Status.PENDING, target=Status.SUCCEEDED)
    def succeed(self, *, utr: str, by: str):
        self.utr = utr
        self.settled_by = by

    @transition(field=status, source=Status.PENDING, target=Status.FAILED)
    def fail(self, reason: str, *, by: str):
        self.failure_reason = reason[:255]
        self.settled_by = by


# What an installment is due and has been paid, part by part (penalty, interest, principal).
INSTALLMENT_AMOUNTS = [
    "principal_due",
    "interest_due",
    "penalty_due",
    "principal_paid",
    "interest_paid",
    "penalty_paid",
]


class Installment(BaseModel):
    """One EMI. Owed = principal_due + interest_due + penalty_due - amount_paid."""

    class Status(models.TextChoices):
        PENDING = "PENDING"
        PARTIALLY_PAID = "PARTIALLY_PAID"
        OVERDUE = "OVERDUE"
        PAID = "PAID"

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="installments")
    number = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    principal_due = MoneyField()
    interest_due = MoneyField()
    penalty_due = MoneyField(default=ZERO)
    principal_paid = MoneyField(default=ZERO)
    interest_paid = MoneyField(default=ZERO)
    penalty_paid = MoneyField(default=ZERO)
    # Interest is accrued to the books only when the installment falls due (close of business).
    interest_accrued = models.BooleanField(default=False)
    # Penal charges run day by day on the overdue EMI (close of business); accrued up to here.
    penal_accrued_through = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    paid_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["loan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="uq_installment_loan_number"),
            models.CheckConstraint(
                condition=Q(principal_due__gte=0, interest_due__gte=0, penalty_due__gte=0),
                name="ck_installment_dues_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(principal_paid__gte=0, interest_paid__gte=0, penalty_paid__gte=0)
                & Q(principal_paid__lte=models.F("principal_due"))
                & Q(interest_paid__lte=models.F("interest_due"))
                & Q(penalty_paid__lte=models.F("penalty_due")),
                name="ck_installment_paid_within_due",
            ),
        ]
        indexes = [
            # Unpaid installments by due date; `id` too, so the due worklist's order (due_date, id)
            # is read from it with a LIMIT instead of sorting a day's installments.
            models.Index(fields=["due_date", "id"], condition=~Q(status="PAID"), name="ix_installment_unpaid_due_id"),
            # The aging report: what each overdue installment still owes, read from the index
            # alone (only the OVERDUE ones are in it, a tenth of the book at worst).
            models.Index(
                fields=["loan_id"],
                include=INSTALLMENT_AMOUNTS,
                condition=Q(status="OVERDUE"),
                name="ix_installment_overdue_owed",
            ),
            # The close of business finds interest falling due through this one.
            models.Index(fields=["due_date"], condition=Q(interest_accrued=False), name="ix_installment_unaccrued_due"),
            # The daily MIS sums what fell due on a day, paid or not.
            models.Index(fields=["due_date"], name="ix_installment_due_date"),
        ]

    def __str__(self):
        return f"EMI {self.number} due {self.due_date}"

    @property
    def amount_due(self) -> Decimal:
        return self.principal_due + self.interest_due

    @property
    def amount_paid(self) -> Decimal:
        return self.principal_paid + self.interest_paid + self.penalty_paid

    @property
    def owed(self) -> Decimal:
        return self.amount_due + self.penalty_due - self.amount_paid


# `Installment.owed` in SQL, for the set-based readers (the case sync, the aging report, mandate
# presentation): one definition, so they cannot drift from the property.
INSTALLMENT_OWED_SQL = "(principal_due + interest_due + penalty_due - principal_paid - interest_paid - penalty_paid)"


# Worklists: the same rows, listed for one piece of ops work each (their admins in admin.py).


class PayoutWorkItem(Loan):
    class Meta:
        proxy = True
        verbose_name = "payout to follow up"
        verbose_name_plural = "Worklist: payouts pending or failed"


class OverdueLoan(Loan):
    class Meta:
        proxy = True
        verbose_name = "overdue loan"
        verbose_name_plural = "Worklist: overdue loans by bucket"


class DueInstallment(Installment):
    class Meta:
        proxy = True
        verbose_name = "installment due"
        verbose_name_plural = "Worklist: installments due today and this week"


class CreditLimit(BaseModel):
    """An ADMIN's override of a business's sanctioned limit, with the reason (apps/loans/limits.py).
    Without one, the limit follows the business's grade and its bank data."""

    business = models.OneToOneField("kyc.Business", on_delete=models.PROTECT, related_name="credit_limit")
    amount = MoneyField()
    reason = models.CharField(max_length=255)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="ck_credit_limit_non_negative")]

    def __str__(self):
        return f"limit {self.amount} for {self.business_id}"


class LoanApplication(FSMModelMixin, BaseModel):
    """A borrower's application against an invoice and a product (apps/loans/services/applications.py):
    drafted, submitted to the risk evaluation, and approved (offers made), rejected, or held for
    an officer, who decides with a reason."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", "Draft"
        SUBMITTED = "SUBMITTED", "Submitted"
        UNDER_REVIEW = "UNDER_REVIEW", "Under review"
        APPROVED = "APPROVED", "Approved"
        REJECTED = "REJECTED", "Rejected"

    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="applications")
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.PROTECT, related_name="applications")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="applications")
    requested_amount = MoneyField()
    tenure_months = models.PositiveSmallIntegerField()
    status = FSMField(default=Status.DRAFT, choices=Status.choices, protected=True)
    decision = models.CharField(max_length=8, blank=True, help_text="APPROVE, REVIEW or REJECT")
    reasons = models.JSONField(default=list, blank=True)
    credit_score = models.ForeignKey(
        "risk.CreditScore", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="ix_application_queue")]
        constraints = [
            models.CheckConstraint(condition=Q(requested_amount__gt=0), name="ck_application_amount_positive"),
            # One application per invoice awaits its decision at a time (the services check first
            # under the invoice's lock; this is the backstop).
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status__in=["SUBMITTED", "UNDER_REVIEW"]),
                name="uq_application_open_per_invoice",
            ),
        ]

    def __str__(self):
        return f"Application for {inr(self.requested_amount)} ({self.get_status_display().lower()})"

    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self):
        """The borrower sends it; the risk evaluation runs at once."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED)
    def approve_automatically(self):
        """The risk evaluation approved it: offers are made."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED)
    def reject_automatically(self):
        """The risk evaluation rejected it, with its reasons."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.UNDER_REVIEW)
    def hold_for_review(self):
        """The risk evaluation wants a person: an OFFICER or ADMIN decides."""

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.APPROVED)
    def approve(self):
        """An officer approved it, with a reason: offers are made."""

    @transition(field=status, source=Status.UNDER_REVIEW, target=Status.REJECTED)
    def reject(self):
        """An officer rejected it, with a reason."""
