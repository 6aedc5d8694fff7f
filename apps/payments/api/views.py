"""The payment rail's webhook endpoint: no user, the signature is the credential."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.permissions import IsOfficerOrAdmin
from apps.payments.settlements import settlement_upload
from apps.payments.webhooks import webhook_receive


class RailEventSerializer(serializers.Serializer):
    """What the rail sends (documented for the schema; the view reads the raw body, which is
    what the signature covers)."""

    id = serializers.CharField(max_length=100)
    type = serializers.CharField(max_length=64)
    created = serializers.IntegerField(help_text="unix seconds (an ISO 8601 time is taken too)")
    data = serializers.DictField()


class RailEventReceivedSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField()
    status = serializers.CharField()


SIGNATURE = OpenApiParameter(
    "X-Signature",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description='t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under PAYMENT_WEBHOOK_SECRET>',
)


class PaymentWebhookView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    # Signed by the rail and retried by it on any non-2xx: a 429 would only bring it back.
    throttle_classes = []

    @extend_schema(
        request=RailEventSerializer,
        responses={200: RailEventReceivedSerializer},
        parameters=[SIGNATURE],
        auth=[],
    )
    def post(self, request):
        event, stored = webhook_receive(raw_body=request.body, signature=request.headers.get("X-Signature", ""))
        return Response({"received": True, "duplicate": not stored, "status": event.status})


class SettlementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with the columns provider_reference,utr,amount,settled_on")


class SettlementResultSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    rows = serializers.IntegerField()
    matched = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    mismatched = serializers.IntegerField()


class SettlementUploadView(APIView):
    """POST /admin/settlements: the rail's settlement CSV, reconciled against what we booked."""

    permission_classes = [IsOfficerOrAdmin]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": SettlementUploadSerializer}, responses={201: SettlementResultSerializer}
    )
    def post(self, request):
        data = SettlementUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        settlement = settlement_upload(name=upload.name, content=upload.read(), actor=request.user)
        return Response(SettlementResultSerializer(settlement).data, status=status.HTTP_201_CREATED)
