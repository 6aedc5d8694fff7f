from django.shortcuts import get_object_or_404, redirect
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.service_call import serve
from apps.core.errors import found
from apps.core.permissions import IsBorrower
from apps.core.roles import Role
from apps.core.storage_urls import signed_url
from apps.kyc.api.serializers import (
    BusinessSerializer,
    CollateralCreateSerializer,
    CollateralSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    OnboardSerializer,
)
from apps.kyc.models import Collateral, KycDocument
from apps.kyc.selectors import businesses_visible_to, get_business_for_user, onboarded_business
from apps.kyc.services import business_onboard, collateral_create, kyc_document_upload


class OnboardView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(request=OnboardSerializer, responses={201: BusinessSerializer})
    def post(self, request):
        return serve(request, business_onboard, OnboardSerializer, BusinessSerializer, created=True)


class MyBusinessView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(responses={200: BusinessSerializer})
    def get(self, request):
        business = found(get_business_for_user(request.user), "Not onboarded yet.")
        return Response(BusinessSerializer(business).data)


class DocumentUploadView(APIView):
    permission_classes = [IsBorrower]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": DocumentUploadSerializer}, responses={201: DocumentSerializer})
    def post(self, request):
        serializer = DocumentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = kyc_document_upload(
            business=onboarded_business(request.user),
            doc_type=serializer.validated_data["doc_type"],
            upload=serializer.validated_data["file"],
            actor=request.user,
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDownloadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={302: OpenApiResponse(description="Redirect to a short-lived signed URL")})
    def get(self, request, pk):
        documents = KycDocument.objects.all()
        if request.user.role == Role.BORROWER:
            documents = documents.filter(business__owner=request.user)
        document = get_object_or_404(documents, pk=pk)
        url, _ = signed_url(document.object_key)
        return redirect(url)


class CollateralsView(generics.ListCreateAPIView):
    queryset = Collateral.objects.none()  # for the schema; get_queryset scopes to the caller
    permission_classes = [IsAuthenticated]
    serializer_class = CollateralSerializer
    pagination_class = None

    def business(self):
        return get_object_or_404(businesses_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_queryset(self):
        return self.business().collaterals.order_by("-value", "pk")

    @extend_schema(request=CollateralCreateSerializer, responses={201: CollateralSerializer})
    def post(self, request, pk):
        return serve(
            request,
            collateral_create,
            CollateralCreateSerializer,
            CollateralSerializer,
            created=True,
            business=self.business(),
        )
