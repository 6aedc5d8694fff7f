"""GET /admin/payouts: the payouts as the rail sees them, for ops (API.md "Bank accounts and
money rails")."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from apps.core.api.fields import MoneyOutputField
from apps.core.errors import InvalidInput
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsOfficerOrAdmin
from apps.loans.models import Payout


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
    permission_classes = [IsOfficerOrAdmin]
    serializer_class = PayoutSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        payouts = Payout.objects.select_related("bank_account")
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in Payout.Status.values:
                raise InvalidInput(f"One of {', '.join(Payout.Status.values)}.", field="status")
            payouts = payouts.filter(status=wanted)
        return payouts

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(Payout.Status.values), required=False)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
