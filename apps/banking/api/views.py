"""Bank data through an account aggregator (API.md): the banks, consents, their refresh, data
syncs and the cash-flow analytics drawn from them."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.banking.analytics import cash_flow
from apps.banking.models import FI_TYPES, BankSync, Consent
from apps.banking.providers import AggregatorUnavailable, get_aggregator
from apps.banking.services import aggregator_down, consents_request, my_consents_refresh, notification_receive
from apps.banking.sync import bank_sync_request
from apps.core.api.fields import FlatListField, MoneyOutputField
from apps.core.permissions import IsBorrower, IsOfficerOrAdmin
from apps.kyc.selectors import businesses_visible_to, get_business_for_user, onboarded_business


class BankSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "bank", "status", "consent_handle", "approval_url", "expires_at", "fi_types", "months"]
        read_only_fields = fields


class ConsentInputSerializer(serializers.Serializer):
    banks = FlatListField(child=serializers.CharField(max_length=32), min_length=1, max_length=10)
    fi_types = FlatListField(
        child=serializers.ChoiceField(choices=FI_TYPES), min_length=1, max_length=len(FI_TYPES), default=["DEPOSIT"]
    )
    months = serializers.IntegerField(min_value=1, max_value=24, default=12)
    purpose = serializers.CharField(max_length=120, required=False, allow_blank=True)


class BanksView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(responses={200: BankSerializer(many=True)})
    def get(self, request):
        try:
            banks = get_aggregator().banks()
        except AggregatorUnavailable:
            raise aggregator_down() from None
        return Response(BankSerializer(banks, many=True).data)


class ConsentsView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(responses={200: ConsentSerializer(many=True)})
    def get(self, request):
        business = get_business_for_user(request.user)
        consents = business.consents.all() if business else Consent.objects.none()
        return Response(ConsentSerializer(consents, many=True).data)

    @extend_schema(request=ConsentInputSerializer, responses={201: ConsentSerializer(many=True)})
    def post(self, request):
        given = ConsentInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        consents = consents_request(actor=request.user, **given.validated_data)
        return Response(ConsentSerializer(consents, many=True).data, status=status.HTTP_201_CREATED)


class ConsentsRefreshView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(request=None, responses={200: ConsentSerializer(many=True)})
    def post(self, request):
        return Response(ConsentSerializer(my_consents_refresh(actor=request.user), many=True).data)


class SyncInputSerializer(serializers.Serializer):
    business_id = serializers.UUIDField(required=False, help_text="Staff only: whose bank data to fetch.")
    force = serializers.BooleanField(default=False, help_text="Fetch again even if a sync finished within the hour.")


class SyncBankSerializer(serializers.Serializer):
    bank = serializers.CharField()
    status = serializers.CharField()
    accounts = serializers.IntegerField()
    transactions = serializers.IntegerField()
    new_transactions = serializers.IntegerField(required=False)
    error = serializers.CharField(required=False)


class SyncSerializer(serializers.ModelSerializer):
    banks = SyncBankSerializer(many=True, read_only=True)

    class Meta:
        model = BankSync
        fields = ["id", "status", "trigger", "banks", "created_at", "finished_at"]
        read_only_fields = fields


class SyncStartedSerializer(serializers.Serializer):
    sync_id = serializers.UUIDField(source="id")
    status = serializers.CharField()


class SyncView(APIView):
    permission_classes = [IsBorrower | IsOfficerOrAdmin]

    @extend_schema(
        request=SyncInputSerializer,
        responses={202: SyncStartedSerializer, 200: SyncStartedSerializer},
        description="Fetch the bank data of every ACTIVE consent (202), or the sync that finished within the "
        "hour (200) unless `force`. A sync already running for the business: 409 `sync_running`.",
    )
    def post(self, request):
        given = SyncInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        sync, started = bank_sync_request(actor=request.user, **given.validated_data)
        return Response(
            SyncStartedSerializer(sync).data, status=status.HTTP_202_ACCEPTED if started else status.HTTP_200_OK
        )


class SyncDetailView(APIView):
    permission_classes = [IsBorrower | IsOfficerOrAdmin]

    @extend_schema(responses={200: SyncSerializer})
    def get(self, request, pk):
        visible = BankSync.objects.filter(business__in=businesses_visible_to(request.user))
        return Response(SyncSerializer(get_object_or_404(visible, pk=pk)).data)


class MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    inflow = MoneyOutputField()
    outflow = MoneyOutputField()
    closing_balance = MoneyOutputField()


class ObligationSerializer(serializers.Serializer):
    counterparty = serializers.CharField()
    amount = MoneyOutputField()
    day_of_month = serializers.IntegerField()


class CashFlowSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(allow_null=True)
    stale = serializers.BooleanField()
    months = MonthSerializer(many=True)
    average_monthly_inflow = MoneyOutputField()
    average_balance = MoneyOutputField()
    emi_obligations = ObligationSerializer(many=True)
    bounced_debits = serializers.IntegerField()
    gst_turnover_ratio = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    max_affordable_emi = MoneyOutputField()


class MyCashFlowView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(responses={200: CashFlowSerializer})
    def get(self, request):
        return Response(CashFlowSerializer(cash_flow(onboarded_business(request.user))).data)


class CashFlowView(APIView):
    permission_classes = [IsBorrower | IsOfficerOrAdmin]

    @extend_schema(responses={200: CashFlowSerializer})
    def get(self, request, pk):
        business = get_object_or_404(businesses_visible_to(request.user), pk=pk)
        return Response(CashFlowSerializer(cash_flow(business)).data)


class NotificationSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=20_000, help_text="The aggregator's signed notification (JWS).")


class NotificationReceivedSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    known = serializers.BooleanField(help_text="Whether it names a consent of ours.")


class AggregatorNotificationView(APIView):
    """The aggregator's consent notifications, signed with its published key."""

    permission_classes = [AllowAny]
    authentication_classes = []
    # Signed by the aggregator and retried by it on any non-2xx: a 429 would only bring it back.
    throttle_classes = []

    @extend_schema(request=NotificationSerializer, responses={202: NotificationReceivedSerializer}, auth=[])
    def post(self, request):
        given = NotificationSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        handle = notification_receive(token=given.validated_data["token"])
        return Response({"received": True, "known": handle is not None}, status=status.HTTP_202_ACCEPTED)
