from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import Conflict
from apps.core.permissions import IsBorrower
from apps.kyc.selectors import get_business_for_user
from apps.risk.models import CreditScore
from apps.risk.selectors import credit_score_latest
from apps.risk.services import credit_score_compute


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


def _business(user):
    business = get_business_for_user(user)
    if business is None:
        raise Conflict("Onboard your business first.", code="not_onboarded")
    return business


class MyCreditScoreView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(responses={200: CreditScoreSerializer})
    def get(self, request):
        business = _business(request.user)
        score = credit_score_latest(business=business) or credit_score_compute(business=business, actor=request.user)
        return Response(CreditScoreSerializer(score).data)


class RecalculateCreditScoreView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(request=None, responses={201: CreditScoreSerializer})
    def post(self, request):
        score = credit_score_compute(business=_business(request.user), actor=request.user)
        return Response(CreditScoreSerializer(score).data, status=status.HTTP_201_CREATED)
