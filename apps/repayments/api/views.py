from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.loans.api.serializers import InstallmentSerializer
from apps.loans.selectors import loans_visible_to


class LoanInstallmentsView(APIView):
    """The whole schedule in order: a loan has at most a few hundred installments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: InstallmentSerializer(many=True)})
    def get(self, request, pk):
        loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
        return Response(InstallmentSerializer(loan.installments.order_by("number"), many=True).data)
