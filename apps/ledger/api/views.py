from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.permissions import IsAdmin
from apps.ledger.selectors import ledger_summary

AMOUNT = {"max_digits": 22, "decimal_places": 2}


class AccountTotalsSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    debit = serializers.DecimalField(**AMOUNT)
    credit = serializers.DecimalField(**AMOUNT)
    balance = serializers.DecimalField(**AMOUNT)


class LedgerSummarySerializer(serializers.Serializer):
    accounts = AccountTotalsSerializer(many=True)
    total_debit = serializers.DecimalField(**AMOUNT)
    total_credit = serializers.DecimalField(**AMOUNT)
    balanced = serializers.BooleanField()


class LedgerSummaryView(APIView):
    """Totals computed from the journal lines, not the snapshots: `balanced` is measured."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={200: LedgerSummarySerializer})
    def get(self, request):
        return Response(LedgerSummarySerializer(ledger_summary()).data)
