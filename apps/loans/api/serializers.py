from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.fields import MoneyField, MoneyOutputField
from apps.loans.models import Installment, Loan, LoanApplication, LoanProduct, Offer


class OfferGenerateSerializer(serializers.Serializer):
    invoice_id = serializers.UUIDField()


class OfferSerializer(serializers.ModelSerializer):
    invoice_id = serializers.UUIDField(read_only=True)
    collateral_ids = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = [
            "id",
            "invoice_id",
            "type",
            "principal",
            "annual_rate",
            "tenure_months",
            "emi",
            "processing_fee",
            "fee_gst",
            "credit_grade",
            "valid_until",
            "status",
            "collateral_ids",
        ]
        read_only_fields = fields

    def get_collateral_ids(self, offer) -> list[str]:
        return [str(c.pk) for c in offer.collaterals.all()]


class OffersSerializer(serializers.Serializer):
    offers = OfferSerializer(many=True)


class SanctionSerializer(serializers.Serializer):
    offer_id = serializers.UUIDField()
    bank_account_id = serializers.UUIDField(
        required=False, help_text="A VERIFIED account of the business; default: its primary one."
    )


class LoanSerializer(serializers.ModelSerializer):
    invoice_id = serializers.UUIDField(read_only=True)
    business_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Loan
        fields = [
            "id",
            "status",
            "invoice_id",
            "business_id",
            "offer_type",
            "principal",
            "annual_rate",
            "tenure_months",
            "emi",
            "processing_fee",
            "fee_gst",
            "disbursed_amount",
            "sanctioned_on",
            "disbursed_on",
            "closed_on",
            "outstanding_principal",
            "outstanding_interest",
            "outstanding_penalty",
            "dpd",
            "asset_classification",
            "bounce_count",
            "payout_status",
        ]
        read_only_fields = fields


class ContractLinkSerializer(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()
    sha256 = serializers.CharField()


class InstallmentSerializer(serializers.ModelSerializer):
    amount_due = MoneyOutputField(read_only=True)
    amount_paid = MoneyOutputField(read_only=True)

    class Meta:
        model = Installment
        fields = [
            "id",
            "number",
            "due_date",
            "amount_due",
            "principal_due",
            "interest_due",
            "penalty_due",
            "amount_paid",
            "status",
        ]
        read_only_fields = fields


class OverrideSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Loan.Status.choices)
    # Required, as loan_override requires it (API.md: "reason required"): the schema says so too.
    reason = serializers.CharField()


class ExternalLoanSerializer(serializers.Serializer):
    lender = serializers.CharField()
    outstanding = MoneyOutputField(allow_null=True, help_text="Null when the statement does not show it.")
    annual_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    emi = MoneyOutputField()


class RefinanceSuggestionSerializer(serializers.Serializer):
    lender = serializers.CharField()
    product_id = serializers.UUIDField()
    annual_rate = serializers.DecimalField(max_digits=6, decimal_places=2)
    emi = MoneyOutputField()
    monthly_saving = MoneyOutputField()
    total_saving = MoneyOutputField()


class RefinanceSerializer(serializers.Serializer):
    loans = ExternalLoanSerializer(many=True)
    suggestions = RefinanceSuggestionSerializer(many=True)


class ProductSerializer(serializers.ModelSerializer):
    """The catalogue as a borrower reads it: the ranges, the rates across the grades, the fees."""

    min_amount = MoneyOutputField(source="min_principal")
    max_amount = MoneyOutputField(source="max_principal")
    min_tenure_months = serializers.IntegerField(source="tenure_months")
    max_tenure_months = serializers.IntegerField(source="tenure_months")
    annual_rate_min = serializers.SerializerMethodField()
    annual_rate_max = serializers.SerializerMethodField()

    class Meta:
        model = LoanProduct
        fields = [
            "id",
            "code",
            "name",
            "min_amount",
            "max_amount",
            "min_tenure_months",
            "max_tenure_months",
            "annual_rate_min",
            "annual_rate_max",
            "processing_fee_pct",
            "penal_rate_pct",
            "interest_method",
            "bounce_charge",
        ]
        read_only_fields = fields

    def _rates(self, product):
        return [Decimal(str(rate)) for rate in (product.rate_bands or {}).values()]

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2))
    def get_annual_rate_min(self, product):
        return f"{min(self._rates(product)):.2f}"

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2))
    def get_annual_rate_max(self, product):
        return f"{max(self._rates(product)):.2f}"


class BuyerLimitSerializer(serializers.Serializer):
    buyer_gstin = serializers.CharField()
    limit = MoneyOutputField()
    utilised = MoneyOutputField(help_text="Across every borrower for staff; the borrower's own for a borrower.")


class LimitsSerializer(serializers.Serializer):
    sanctioned_limit = MoneyOutputField()
    utilised = MoneyOutputField()
    available = MoneyOutputField()
    source = serializers.CharField(help_text="override, grade or bank data")
    buyer_limits = BuyerLimitSerializer(many=True)


class ApplicationInputSerializer(serializers.Serializer):
    invoice_id = serializers.UUIDField()
    product_id = serializers.UUIDField()
    requested_amount = MoneyField(min_value=Decimal("0.01"))
    tenure_months = serializers.IntegerField(min_value=1, max_value=360)


class ApplicationEditSerializer(ApplicationInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ApplicationSerializer(serializers.ModelSerializer):
    invoice_id = serializers.UUIDField(read_only=True)
    product_id = serializers.UUIDField(read_only=True)
    requested_amount = MoneyOutputField()
    decision = serializers.CharField(allow_blank=True, help_text="APPROVE, REVIEW or REJECT once submitted.")
    reasons = serializers.ListField(child=serializers.CharField())
    offers = OfferSerializer(many=True, read_only=True)

    class Meta:
        model = LoanApplication
        fields = [
            "id",
            "status",
            "invoice_id",
            "product_id",
            "requested_amount",
            "tenure_months",
            "decision",
            "reasons",
            "offers",
            "decision_reason",
            "created_at",
            "submitted_at",
            "decided_at",
        ]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
