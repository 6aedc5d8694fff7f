"""Partner webhooks for ADMIN (API.md "Partner webhooks"): register and list endpoints, list
deliveries, send one again."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.service_call import serve
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsAdmin
from apps.webhooks.api.filters import DeliveryFilter
from apps.webhooks.api.serializers import (
    DeliverySerializer,
    EndpointCreatedSerializer,
    EndpointInputSerializer,
    EndpointSerializer,
)
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import deliveries_redeliver, endpoint_register


class EndpointsView(generics.ListAPIView):
    queryset = WebhookEndpoint.objects.all()
    permission_classes = [IsAdmin]
    serializer_class = EndpointSerializer
    pagination_class = DefaultCursorPagination

    @extend_schema(request=EndpointInputSerializer, responses={201: EndpointCreatedSerializer})
    def post(self, request):
        return serve(request, endpoint_register, EndpointInputSerializer, EndpointCreatedSerializer, created=True)


class DeliveriesView(generics.ListAPIView):
    queryset = WebhookDelivery.objects.select_related("event")
    permission_classes = [IsAdmin]
    serializer_class = DeliverySerializer
    pagination_class = DefaultCursorPagination
    filterset_class = DeliveryFilter


class RedeliverView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=None, responses={202: DeliverySerializer})
    def post(self, request, pk):
        delivery = get_object_or_404(WebhookDelivery, pk=pk)
        deliveries_redeliver(delivery_ids=[delivery.pk], actor=request.user)
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
