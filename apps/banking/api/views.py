"""Bank data through an account aggregator (API.md): the banks, consents, their refresh."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.banking.models import FI_TYPES, Consent
from apps.banking.providers import AggregatorUnavailable, get_aggregator
from apps.banking.services import aggregator_down, consents_request, my_consents_refresh
from apps.core.api.fields import FlatListField
from apps.core.permissions import IsBorrower
from apps.kyc.selectors import get_business_for_user


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
