from rest_framework import serializers

from apps.core.api.fields import DateField, MoneyField
from apps.invoices.models import Invoice


class InvoiceAddSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=16)
    invoice_date = DateField()
    due_date = DateField()
    buyer_gstin = serializers.CharField(max_length=15)
    buyer_name = serializers.CharField(max_length=200)
    amount = MoneyField(min_value=0)


class InvoiceSerializer(serializers.ModelSerializer):
    business_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "business_id",
            "invoice_number",
            "financial_year",
            "invoice_date",
            "due_date",
            "buyer_gstin",
            "buyer_name",
            "amount",
            "status",
            "status_reason",
            "verification_reference",
            "created_at",
        ]
        read_only_fields = fields
