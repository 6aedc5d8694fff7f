from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from apps.core.api.service_call import serve
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsBorrower
from apps.invoices.api.filters import InvoiceFilter
from apps.invoices.api.serializers import InvoiceAddSerializer, InvoiceSerializer
from apps.invoices.models import Invoice
from apps.invoices.selectors import invoices_visible_to
from apps.invoices.services import invoice_add


class InvoiceAddView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(request=InvoiceAddSerializer, responses={201: InvoiceSerializer})
    def post(self, request):
        return serve(request, invoice_add, InvoiceAddSerializer, InvoiceSerializer, created=True)


class MyInvoicesView(generics.ListAPIView):
    queryset = Invoice.objects.none()  # for the schema; get_queryset scopes to the caller
    permission_classes = [IsBorrower]
    serializer_class = InvoiceSerializer
    pagination_class = DefaultCursorPagination

    filterset_class = InvoiceFilter

    def get_queryset(self):
        return invoices_visible_to(self.request.user)


class InvoiceDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = InvoiceSerializer

    def get_object(self):
        return get_object_or_404(invoices_visible_to(self.request.user), pk=self.kwargs["pk"])
