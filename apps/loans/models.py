from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel
from apps.loans.schedule import InterestMethod

GRADES = ("A", "B", "C", "D", "E")
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
    bounce_charge = models.DecimalField(max_digits=18, decimal_places=2)
    penal_rate_pct = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("24.00"), help_text="Annual % on overdue amounts"
    )
    allocation_order = models.JSONField(default=default_allocation_order)
    offer_validity_hours = models.PositiveSmallIntegerField(default=72)
    min_principal = models.DecimalField(max_digits=18, decimal_places=2)
    max_principal = models.DecimalField(max_digits=18, decimal_places=2)

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
        if not bands or any(grade not in GRADES for grade in bands):
            raise ValidationError({"rate_bands": f"a mapping of grades {', '.join(GRADES)} to annual rates"})
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
