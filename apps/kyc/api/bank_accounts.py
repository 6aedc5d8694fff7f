"""/businesses/me/bank-accounts: a borrower adds and lists their business's bank accounts. The
full number never leaves the server; it is not even kept."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.service_call import serve
from apps.core.permissions import IsBorrower
from apps.core.schema import error
from apps.kyc.bank_accounts import bank_account_add
from apps.kyc.models import BankAccount
from apps.kyc.selectors import onboarded_business


class BankAccountInputSerializer(serializers.Serializer):
    account_number = serializers.CharField(max_length=40, help_text="9 to 18 digits; never returned")
    ifsc = serializers.CharField(max_length=20)
    holder_name = serializers.CharField(max_length=150)


class BankAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankAccount
        fields = ["id", "ifsc", "bank_name", "account_last4", "holder_name", "status", "name_match_score", "is_primary"]
        read_only_fields = fields


class MyBankAccountsView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(responses={200: BankAccountSerializer(many=True)})
    def get(self, request):
        return Response(BankAccountSerializer(onboarded_business(request.user).bank_accounts.all(), many=True).data)

    @extend_schema(
        request=BankAccountInputSerializer,
        responses={
            201: BankAccountSerializer,
            503: error("`rail_unavailable`: the bank could not be reached; nothing was stored."),
        },
    )
    def post(self, request):
        return serve(
            request,
            bank_account_add,
            BankAccountInputSerializer,
            BankAccountSerializer,
            created=True,
            business=onboarded_business(request.user),
        )
