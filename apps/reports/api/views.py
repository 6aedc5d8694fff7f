from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.fields import DateField, MoneyOutputField
from apps.core.api.service_call import serve
from apps.core.money import TOTAL_DIGITS
from apps.core.permissions import IsAdmin, IsOfficerOrAdmin
from apps.reports.selectors import aging_report, portfolio_summary
from apps.reports.services import daily_metrics_compute, daily_metrics_for


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


class DailyQuerySerializer(serializers.Serializer):
    business_date = DateField()
    force_refresh = serializers.BooleanField(default=False)


class DailyMetricsSerializer(serializers.Serializer):
    business_date = serializers.DateField()
    metrics = serializers.DictField(
        help_text="The API.md keys; money as strings with two decimals, ratios with four; null when missing"
    )
    missing_metrics = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    sources = serializers.DictField(child=serializers.CharField())
    generated_at = serializers.DateTimeField(source="computed_at")


class RefreshInputSerializer(serializers.Serializer):
    business_date = DateField()


class RefreshResultSerializer(serializers.Serializer):
    business_date = serializers.DateField()
    missing_metrics = serializers.ListField(child=serializers.CharField())
    generated_at = serializers.DateTimeField(source="computed_at")


class DailyMetricsView(APIView):
    """GET /reports/daily?business_date=&force_refresh=: the date's MIS, stored once computed."""

    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(parameters=[DailyQuerySerializer], responses={200: DailyMetricsSerializer})
    def get(self, request):
        return serve(request, daily_metrics_for, DailyQuerySerializer, DailyMetricsSerializer, query=True)


class DailyMetricsRefreshView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=RefreshInputSerializer, responses={200: RefreshResultSerializer})
    def post(self, request):
        data = RefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        metrics = daily_metrics_compute(business_date=data.validated_data["business_date"], actor=request.user)
        return Response(RefreshResultSerializer(metrics).data)


class AgingBucketSerializer(serializers.Serializer):
    bucket = serializers.ChoiceField(choices=["SMA_0", "SMA_1", "SMA_2", "NPA"])
    loans = serializers.IntegerField()
    amount_overdue = MoneyOutputField(max_digits=TOTAL_DIGITS)
    principal_outstanding = MoneyOutputField(max_digits=TOTAL_DIGITS)
    cases = serializers.DictField(child=serializers.IntegerField())


class AgingTotalsSerializer(serializers.Serializer):
    loans = serializers.IntegerField()
    amount_overdue = MoneyOutputField(max_digits=TOTAL_DIGITS)
    principal_outstanding = MoneyOutputField(max_digits=TOTAL_DIGITS)
    cases = serializers.DictField(child=serializers.IntegerField())


class AgingSerializer(serializers.Serializer):
    business_date = serializers.DateField()
    buckets = AgingBucketSerializer(many=True)
    totals = AgingTotalsSerializer()


class AgingView(APIView):
    """GET /reports/aging: the overdue book by bucket, live, for the business date."""

    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(responses={200: AgingSerializer})
    def get(self, request):
        return Response(AgingSerializer(aging_report()).data)
