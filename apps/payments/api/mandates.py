"""/loans/{id}/mandate: the borrower sets up a NACH or UPI AutoPay mandate; borrower, OFFICER
and ADMIN read it; DELETE cancels it."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.service_call import serve
from apps.core.errors import found
from apps.core.permissions import IsBorrower
from apps.core.schema import error
from apps.loans.selectors import loans_visible_to
from apps.payments.mandates import live_mandate, mandate_cancel, mandate_create
from apps.payments.models import Mandate


class MandateInputSerializer(serializers.Serializer):
    bank_account_id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=Mandate.Type.choices)


class MandateSerializer(serializers.ModelSerializer):
    loan_id = serializers.UUIDField(read_only=True)
    bank_account_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Mandate
        fields = [
            "id",
            "loan_id",
            "bank_account_id",
            "type",
            "status",
            "umrn",
            "max_amount",
            "frequency",
            "start_date",
            "end_date",
            "authorization_url",
        ]
        read_only_fields = fields


class LoanMandateView(APIView):
    throttle_scope = "money"

    def get_permissions(self):
        return [IsBorrower()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(responses={200: MandateSerializer})
    def get(self, request, pk):
        loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
        mandate = found(live_mandate(loan), "This loan has no live mandate.")
        return Response(MandateSerializer(mandate).data)

    @extend_schema(
        request=MandateInputSerializer,
        responses={201: MandateSerializer, 503: error("`rail_unavailable`: the rail could not register it.")},
    )
    def post(self, request, pk):
        return serve(request, mandate_create, MandateInputSerializer, MandateSerializer, created=True, loan_id=pk)

    @extend_schema(responses={200: MandateSerializer})
    def delete(self, request, pk):
        return Response(MandateSerializer(mandate_cancel(loan_id=pk, actor=request.user)).data)
