"""Payments the borrower starts on the rail: POST/GET /repayments/loan/{id}/payment-intents and
GET /payments/intents/{id} (API.md). Borrowers reach their own loans' intents; OFFICER and
ADMIN every loan's."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.fields import MoneyField, MoneyOutputField
from apps.core.idempotency import key_from
from apps.core.pagination import DefaultCursorPagination
from apps.core.schema import IDEMPOTENCY_KEY, error
from apps.loans.selectors import loans_visible_to
from apps.payments.intents import BORROWER_METHODS, intent_open
from apps.payments.models import PaymentIntent


class IntentInputSerializer(serializers.Serializer):
    amount = MoneyField()
    method = serializers.ChoiceField(choices=[(m.value, m.label) for m in BORROWER_METHODS])


class IntentSerializer(serializers.ModelSerializer):
    loan_id = serializers.UUIDField(read_only=True)
    amount = MoneyOutputField(read_only=True)
    repayment_id = serializers.UUIDField(read_only=True, allow_null=True)

    class Meta:
        model = PaymentIntent
        fields = [
            "id",
            "loan_id",
            "amount",
            "method",
            "status",
            "provider_reference",
            "payment_url",
            "expires_at",
            "repayment_id",
            "utr",
            "created_at",
        ]
        read_only_fields = fields


def _intents_visible_to(user):
    return PaymentIntent.objects.filter(loan__in=loans_visible_to(user).values("pk"))


class LoanIntentsView(generics.ListAPIView):
    throttle_scope = "money"
    queryset = PaymentIntent.objects.none()  # for the schema; get_queryset scopes to the caller
    permission_classes = [IsAuthenticated]
    serializer_class = IntentSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        loan = get_object_or_404(loans_visible_to(self.request.user), pk=self.kwargs["pk"])
        return PaymentIntent.objects.filter(loan=loan)

    @extend_schema(
        request=IntentInputSerializer,
        responses={
            201: IntentSerializer,
            200: IntentSerializer,
            503: error("`rail_unavailable`: the rail did not open the payment; nothing was collected."),
        },
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request, pk):
        key = key_from(request)
        data = IntentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intent, created = intent_open(loan_id=pk, actor=request.user, idempotency_key=key, **data.validated_data)
        return Response(
            IntentSerializer(intent).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class IntentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=IntentSerializer)
    def get(self, request, pk):
        return Response(IntentSerializer(get_object_or_404(_intents_visible_to(request.user), pk=pk)).data)
