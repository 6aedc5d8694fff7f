import datetime

from django.db import models
from django.db.models import F, Q
from django_fsm import FSMField, transition

from apps.core.fsm import FSMModelMixin
from apps.core.models import BaseModel
from apps.core.money import MoneyField
from apps.core.references import reference_field


def financial_year(day: datetime.date) -> str:
    """India's financial year runs April to March: 15 Jan 2027 is in "2026-27"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


class Invoice(FSMModelMixin, BaseModel):
    """A GST invoice raised by a borrower's business on a buyer, offered as the basis of a loan.

    The unique (seller GSTIN, number, financial year) constraint is what makes it impossible to
    finance one invoice twice, whichever path the second attempt takes.
    """

    class Status(models.TextChoices):
        UPLOADED = "UPLOADED"
        VERIFIED = "VERIFIED"
        OFFERED = "OFFERED"
        FINANCED = "FINANCED"
        SETTLED = "SETTLED"
        REJECTED = "REJECTED"

    # The borrower's application for finance against this invoice, as ops refer to it.
    REFERENCE_PREFIX, REFERENCE_SEQUENCE = "AP", "invoices_invoice_reference_seq"
    reference = reference_field(REFERENCE_PREFIX, REFERENCE_SEQUENCE)
    business = models.ForeignKey("kyc.Business", on_delete=models.PROTECT, related_name="invoices")
    seller_gstin = models.CharField("seller GSTIN", max_length=15)
    invoice_number = models.CharField(max_length=16)
    financial_year = models.CharField(max_length=7)
    invoice_date = models.DateField()
    due_date = models.DateField()
    buyer_gstin = models.CharField("buyer GSTIN", max_length=15, db_index=True)
    buyer_name = models.CharField(max_length=200)
    amount = MoneyField()
    status = FSMField(default=Status.UPLOADED, choices=Status.choices, protected=True, db_index=True)
    verification_reference = models.CharField(max_length=64, blank=True)
    status_reason = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller_gstin", "invoice_number", "financial_year"], name="uq_invoice_seller_number_fy"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ck_invoice_amount_positive"),
            models.CheckConstraint(condition=Q(due_date__gt=F("invoice_date")), name="ck_invoice_due_after_date"),
            models.CheckConstraint(condition=~Q(buyer_gstin=F("seller_gstin")), name="ck_invoice_buyer_not_seller"),
        ]
        indexes = [
            models.Index(fields=["business", "status"], name="ix_invoice_business_status"),
            # Ops search by invoice number or buyer (the admin's exact-match search).
            models.Index(fields=["invoice_number"], name="ix_invoice_number"),
            models.Index(fields=["buyer_gstin"], name="ix_invoice_buyer_gstin"),
        ]

    def __str__(self):
        return f"{self.invoice_number} ({self.seller_gstin})"

    @transition(field=status, source=Status.UPLOADED, target=Status.VERIFIED)
    def verify(self, reference: str):
        self.verification_reference = reference
        self.status_reason = ""

    @transition(field=status, source=Status.UPLOADED, target=Status.REJECTED)
    def reject(self, reason: str):
        self.status_reason = reason

    @transition(field=status, source=Status.VERIFIED, target=Status.OFFERED)
    def mark_offered(self):
        pass

    @transition(field=status, source=Status.OFFERED, target=Status.VERIFIED)
    def reopen(self, reason: str):
        """Every offer expired or was withdrawn: the invoice may be offered again."""
        self.status_reason = reason

    @transition(field=status, source=Status.OFFERED, target=Status.FINANCED)
    def mark_financed(self):
        pass

    @transition(field=status, source=Status.FINANCED, target=Status.VERIFIED)
    def unfinance(self, reason: str):
        """The payout failed after sanction: the loan is cancelled and the invoice free again."""
        self.status_reason = reason

    @transition(field=status, source=Status.FINANCED, target=Status.SETTLED)
    def settle(self):
        pass
