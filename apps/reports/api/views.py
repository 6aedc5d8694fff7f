from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.fields import MoneyOutputField
from apps.core.money import TOTAL_DIGITS
from apps.core.permissions import IsAdmin
from apps.reports.selectors import portfolio_summary


class PortfolioBucketSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    amount = MoneyOutputField(max_digits=TOTAL_DIGITS)


class PortfolioSummarySerializer(serializers.Serializer):
    business_date = serializers.DateField()
    aum = MoneyOutputField(max_digits=TOTAL_DIGITS)
    active_loans = serializers.IntegerField()
    npa_amount = MoneyOutputField(max_digits=TOTAL_DIGITS)
    npa_ratio = serializers.DecimalField(max_digits=7, decimal_places=4)
    by_classification = serializers.DictField(child=PortfolioBucketSerializer())
    by_dpd_bucket = serializers.DictField(child=PortfolioBucketSerializer())
    risk_distribution = serializers.DictField(child=PortfolioBucketSerializer())


class PortfolioSummaryView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(responses={200: PortfolioSummarySerializer})
    def get(self, request):
        return Response(PortfolioSummarySerializer(portfolio_summary()).data)
