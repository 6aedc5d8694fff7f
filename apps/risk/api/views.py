from decimal import Decimal

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.fields import MoneyField
from apps.core.api.service_call import serve
from apps.core.errors import InvalidInput
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsBorrower, IsOfficerOrAdmin
from apps.kyc.selectors import businesses_visible_to, onboarded_business
from apps.risk.fraud import risk_alert_clear, risk_alert_confirm
from apps.risk.fraud_rules import RULE_NAMES
from apps.risk.models import CreditScore, RiskAlert
from apps.risk.selectors import credit_score_latest
from apps.risk.services import credit_score_compute, risk_evaluation_preview


class FactorSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.JSONField()
    points = serializers.IntegerField()
    reason = serializers.CharField()


class CreditScoreSerializer(serializers.ModelSerializer):
    factors = FactorSerializer(many=True)

    class Meta:
        model = CreditScore
        fields = ["score", "grade", "factors", "rule_set_version", "computed_at"]
        read_only_fields = fields


class MyCreditScoreView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(responses={200: CreditScoreSerializer})
    def get(self, request):
        business = onboarded_business(request.user)
        score = credit_score_latest(business=business) or credit_score_compute(business=business, actor=request.user)
        return Response(CreditScoreSerializer(score).data)


class RecalculateCreditScoreView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(request=None, responses={201: CreditScoreSerializer})
    def post(self, request):
        score = credit_score_compute(business=onboarded_business(request.user), actor=request.user)
        return Response(CreditScoreSerializer(score).data, status=status.HTTP_201_CREATED)


class RiskAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskAlert
        fields = [
            "id",
            "rule",
            "decision",
            "status",
            "action",
            "subject_type",
            "subject_id",
            "business",
            "evidence",
            "created_at",
            "reviewed_by",
            "reviewed_at",
            "review_note",
        ]
        read_only_fields = fields


class ReviewInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, help_text="What ops found: kept on the alert and in the audit log.")


class RiskAlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=RiskAlert.Status.choices)
    decision = django_filters.ChoiceFilter(choices=RiskAlert.Decision.choices)
    rule = django_filters.ChoiceFilter(choices=[(name, name) for name in RULE_NAMES])
    business = django_filters.UUIDFilter(field_name="business_id")

    class Meta:
        model = RiskAlert
        fields = ["status", "decision", "rule", "business"]


class RiskAlertsView(generics.ListAPIView):
    """The fraud review queue (OFFICER, ADMIN), newest first; `?status=OPEN` for what waits."""

    queryset = RiskAlert.objects.all()
    permission_classes = [IsOfficerOrAdmin]
    serializer_class = RiskAlertSerializer
    pagination_class = DefaultCursorPagination
    filterset_class = RiskAlertFilter


class _ReviewView(APIView):
    permission_classes = [IsOfficerOrAdmin]

    def review(self, request, pk, service):
        return serve(request, service, ReviewInputSerializer, RiskAlertSerializer, riskalert_id=pk)


class RiskAlertClearView(_ReviewView):
    """Nothing wrong: the held action may be tried again and goes through."""

    @extend_schema(request=ReviewInputSerializer, responses={200: RiskAlertSerializer})
    def post(self, request, pk):
        return self.review(request, pk, risk_alert_clear)


class RiskAlertConfirmView(_ReviewView):
    """Fraud confirmed: the alert's subject stays refused for its rule."""

    @extend_schema(request=ReviewInputSerializer, responses={200: RiskAlertSerializer})
    def post(self, request, pk):
        return self.review(request, pk, risk_alert_confirm)


class EvaluationInputSerializer(serializers.Serializer):
    business_id = serializers.UUIDField()
    amount = MoneyField(min_value=Decimal("0.01"), help_text="Rupees asked for, more than zero.")


class EvaluationSerializer(serializers.Serializer):
    decision = serializers.CharField(source="outcome", help_text="APPROVE, REVIEW or REJECT.")
    score = serializers.IntegerField(source="score.score")
    grade = serializers.CharField(source="score.grade")
    reasons = serializers.ListField(child=serializers.CharField())
    factors = FactorSerializer(source="score.factors", many=True)


class RiskEvaluationView(APIView):
    """POST /risk/evaluations: the decision for a business and an amount, on a fresh score,
    without storing anything."""

    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=EvaluationInputSerializer, responses={200: EvaluationSerializer})
    def post(self, request):
        given = EvaluationInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        business = businesses_visible_to(request.user).filter(pk=given.validated_data["business_id"]).first()
        if business is None:
            raise InvalidInput("No such business.", field="business_id")
        decision = risk_evaluation_preview(business=business, amount=given.validated_data["amount"], actor=request.user)
        return Response(EvaluationSerializer(decision).data)
