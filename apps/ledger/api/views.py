from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.fields import MoneyOutputField
from apps.core.money import TOTAL_DIGITS
from apps.core.permissions import IsAdmin
from apps.ledger.selectors import ledger_summary


class AccountTotalsSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    debit = MoneyOutputField(max_digits=TOTAL_DIGITS)
    credit = MoneyOutputField(max_digits=TOTAL_DIGITS)
    balance = MoneyOutputField(max_digits=TOTAL_DIGITS)


class LedgerSummarySerializer(serializers.Serializer):
    accounts = AccountTotalsSerializer(many=True)
    total_debit = MoneyOutputField(max_digits=TOTAL_DIGITS)
    total_credit = MoneyOutputField(max_digits=TOTAL_DIGITS)
    balanced = serializers.BooleanField()


class LedgerSummaryView(APIView):
    """Totals computed from the journal lines, not the snapshots: `balanced` is measured."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={200: LedgerSummarySerializer})
    def get(self, request):
        return Response(LedgerSummarySerializer(ledger_summary()).data)
