"""GET /admin/payouts: the payouts as the rail sees them, for ops (API.md "Bank accounts and
money rails")."""

from rest_framework import generics, serializers

from apps.core.api.fields import MoneyOutputField
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsOfficerOrAdmin
from apps.loans.models import Payout
from apps.payments.api.filters import PayoutFilter


class PayoutSerializer(serializers.ModelSerializer):
    loan_id = serializers.UUIDField(read_only=True)
    amount = MoneyOutputField(read_only=True)
    bank_account_last4 = serializers.CharField(source="bank_account.account_last4", read_only=True)

    class Meta:
        model = Payout
        fields = [
            "id",
            "loan_id",
            "reference",
            "amount",
            "status",
            "utr",
            "failure_reason",
            "bank_account_last4",
            "attempts",
            "last_error",
            "settled_by",
            "created_at",
        ]
        read_only_fields = fields


class PayoutListView(generics.ListAPIView):
    queryset = Payout.objects.select_related("bank_account")
    permission_classes = [IsOfficerOrAdmin]
    serializer_class = PayoutSerializer
    pagination_class = DefaultCursorPagination
    filterset_class = PayoutFilter
