from rest_framework import serializers

from apps.core.api.fields import DateField, MoneyField
from apps.kyc.models import Business, Collateral, KycDocument


class OnboardSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=200)
    trade_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    owner_name = serializers.CharField(max_length=200)
    gstin = serializers.CharField(max_length=20)
    pan = serializers.CharField(max_length=12)
    aadhaar = serializers.CharField(max_length=14, write_only=True)
    address = serializers.CharField(max_length=1000)
    declared_turnover = MoneyField(required=False, allow_null=True)


class BusinessSerializer(serializers.ModelSerializer):
    aadhaar = serializers.CharField(source="aadhaar_masked", read_only=True)

    class Meta:
        model = Business
        fields = [
            "id",
            "legal_name",
            "trade_name",
            "owner_name",
            "address",
            "state_code",
            "gstin",
            "pan",
            "aadhaar",
            "gst_status",
            "gst_registration_date",
            "declared_turnover",
            "kyc_status",
            "kyc_reason",
            "created_at",
        ]
        read_only_fields = fields


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    doc_type = serializers.ChoiceField(choices=KycDocument.DocType.choices)


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = KycDocument
        fields = ["id", "doc_type", "sha256", "size", "content_type", "created_at"]
        read_only_fields = fields


class CollateralCreateSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Collateral.Type.choices)
    description = serializers.CharField(max_length=255)
    value = MoneyField()
    valuation_date = DateField(required=False)


class CollateralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Collateral
        fields = ["id", "type", "description", "value", "valuation_date", "lien_status", "created_at"]
        read_only_fields = fields
