import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit.api.serializers import ApprovalAskedSerializer
from apps.core.api.fields import MoneyField
from apps.core.api.service_call import serve
from apps.core.errors import MIN_REASON_LENGTH, Conflict
from apps.core.idempotency import key_from
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsAdmin, IsBorrower, IsOfficerOrAdmin
from apps.core.roles import Role
from apps.core.schema import IDEMPOTENCY_KEY, error
from apps.invoices.selectors import invoices_visible_to
from apps.kyc.selectors import businesses_visible_to, onboarded_business
from apps.loans.api.serializers import (
    ApplicationEditSerializer,
    ApplicationInputSerializer,
    ApplicationSerializer,
    ContractLinkSerializer,
    LimitsSerializer,
    LoanSerializer,
    OfferGenerateSerializer,
    OfferSerializer,
    OffersSerializer,
    OverrideSerializer,
    ProductSerializer,
    ReasonSerializer,
    RefinanceSerializer,
    SanctionSerializer,
)
from apps.loans.approvals import REASON_MAX as LIMIT_REASON_MAX
from apps.loans.approvals import credit_limit_override_request
from apps.loans.limits import limits_of
from apps.loans.models import Loan, LoanApplication, LoanProduct, Offer
from apps.loans.refinance import refinance_options
from apps.loans.selectors import applications_visible_to, loans_visible_to
from apps.loans.services import loan_override, loan_sanction, offers_generate
from apps.loans.services.applications import (
    application_approve,
    application_create,
    application_edit,
    application_reject,
    application_submit,
)
from apps.loans.services.contracts import contract_link


class OfferGenerateView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(request=OfferGenerateSerializer, responses={201: OffersSerializer})
    def post(self, request):
        serializer = OfferGenerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        offers = offers_generate(invoice_id=serializer.validated_data["invoice_id"], actor=request.user)
        return Response({"offers": OfferSerializer(offers, many=True).data}, status=status.HTTP_201_CREATED)


class InvoiceOffersView(generics.ListAPIView):
    queryset = Offer.objects.none()  # for the schema; get_queryset scopes to the caller
    permission_classes = [IsAuthenticated]
    serializer_class = OfferSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        invoice = get_object_or_404(invoices_visible_to(self.request.user), pk=self.kwargs["pk"])
        return Offer.objects.filter(invoice=invoice).prefetch_related("collaterals")


class LoanSanctionView(APIView):
    throttle_scope = "money"
    permission_classes = [IsBorrower]

    @extend_schema(
        request=SanctionSerializer,
        responses={
            201: LoanSerializer,
            409: error("`bank_account_required`, `offer_state`, `offer_expired`, `invoice_state`."),
            502: error("`payout_failed`: the bank refused the payout; the loan was cancelled, the invoice freed."),
        },
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        # Idempotent by the key kept on the payout (not @idempotent, whose transaction would
        # hold the rail's call): a replay answers with the same loan as it now stands.
        serializer = SanctionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        loan = loan_sanction(actor=request.user, idempotency_key=key_from(request), **serializer.validated_data)
        return Response(LoanSerializer(loan).data, status=status.HTTP_201_CREATED)


class MyLoansView(generics.ListAPIView):
    queryset = Loan.objects.none()  # for the schema; get_queryset scopes to the caller
    permission_classes = [IsBorrower]
    serializer_class = LoanSerializer
    pagination_class = DefaultCursorPagination

    def get_queryset(self):
        return loans_visible_to(self.request.user)


class LoanDetailView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = LoanSerializer

    def get_object(self):
        return get_object_or_404(loans_visible_to(self.request.user), pk=self.kwargs["pk"])


class LoanContractView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ContractLinkSerializer})
    def get(self, request, pk):
        loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
        if not loan.contract_key:
            raise Conflict("The agreement is issued at disbursement.", code="no_contract")
        return Response(ContractLinkSerializer(contract_link(loan)).data)


class LoanOverrideView(APIView):
    permission_classes = [IsAdmin]
    partial_patch = False  # the body is validated whole: status and reason are both required

    @extend_schema(request=OverrideSerializer, responses={200: LoanSerializer})
    def patch(self, request, pk):
        return serve(request, loan_override, OverrideSerializer, LoanSerializer, loan_id=pk)


class MyRefinanceView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(
        responses={200: RefinanceSerializer},
        description="Other lenders' loans found in the business's bank data, and what moving each to one of "
        "our products would save (a rate is known only when the statement shows the disbursal and numbers "
        "the EMIs).",
    )
    def get(self, request):
        return Response(RefinanceSerializer(refinance_options(onboarded_business(request.user))).data)


class ProductFilter(django_filters.FilterSet):
    product_id = django_filters.UUIDFilter(field_name="id")

    class Meta:
        model = LoanProduct
        fields = ["product_id"]


class ProductsView(generics.ListAPIView):
    """GET /products: the active catalogue, for any signed-in user (a borrower compares before
    applying)."""

    queryset = LoanProduct.objects.filter(is_active=True).order_by("code")
    permission_classes = [IsAuthenticated]
    serializer_class = ProductSerializer
    pagination_class = None
    filterset_class = ProductFilter


class ProductDetailView(generics.RetrieveAPIView):
    queryset = LoanProduct.objects.filter(is_active=True)
    permission_classes = [IsAuthenticated]
    serializer_class = ProductSerializer


class BusinessLimitsView(APIView):
    """GET /businesses/{id}/limits: the sanctioned limit and what is used of it, and each buyer's."""

    permission_classes = [IsBorrower | IsOfficerOrAdmin]

    @extend_schema(responses={200: LimitsSerializer})
    def get(self, request, pk):
        business = get_object_or_404(businesses_visible_to(request.user), pk=pk)
        answer = limits_of(business, book_wide=request.user.role != Role.BORROWER)
        return Response(LimitsSerializer(answer).data)


class LimitOverrideInputSerializer(serializers.Serializer):
    amount = MoneyField(min_value=0, allow_null=True, help_text="The new sanctioned limit; null lifts the override.")
    reason = serializers.CharField(
        min_length=MIN_REASON_LENGTH, max_length=LIMIT_REASON_MAX, help_text="The approver reads it."
    )


class LimitOverrideView(APIView):
    """POST /admin/businesses/{id}/limit-override: an override of the sanctioned limit, asked for
    here and applied when a second person (an ADMIN who did not ask) approves it."""

    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=LimitOverrideInputSerializer, responses={202: ApprovalAskedSerializer})
    def post(self, request, pk):
        business = get_object_or_404(businesses_visible_to(request.user), pk=pk)
        return serve(
            request,
            credit_limit_override_request,
            LimitOverrideInputSerializer,
            ApprovalAskedSerializer,
            accepted=True,
            business=business,
        )


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=LoanApplication.Status.choices)

    class Meta:
        model = LoanApplication
        fields = ["status"]


class ApplicationsView(generics.ListAPIView):
    """GET /loan-applications?status=: a borrower's own, every one for ops; newest first."""

    queryset = LoanApplication.objects.none()  # for the schema; get_queryset scopes to the caller
    permission_classes = [IsBorrower | IsOfficerOrAdmin]
    serializer_class = ApplicationSerializer
    pagination_class = DefaultCursorPagination
    filterset_class = ApplicationFilter

    def get_permissions(self):
        # Borrowers apply; staff read and decide.
        return [IsBorrower()] if self.request.method == "POST" else super().get_permissions()

    def get_queryset(self):
        return applications_visible_to(self.request.user)

    @extend_schema(request=ApplicationInputSerializer, responses={201: ApplicationSerializer})
    def post(self, request):
        return serve(request, application_create, ApplicationInputSerializer, ApplicationSerializer, created=True)


class ApplicationDetailView(APIView):
    permission_classes = [IsBorrower | IsOfficerOrAdmin]

    @extend_schema(responses={200: ApplicationSerializer})
    def get(self, request, pk):
        return Response(ApplicationSerializer(get_object_or_404(applications_visible_to(request.user), pk=pk)).data)

    def get_permissions(self):
        # Only the borrower edits their application; staff read it.
        return [IsBorrower()] if self.request.method == "PATCH" else super().get_permissions()

    @extend_schema(request=ApplicationEditSerializer, responses={200: ApplicationSerializer})
    def patch(self, request, pk):
        return serve(request, application_edit, ApplicationEditSerializer, ApplicationSerializer, application_id=pk)


class ApplicationSubmitView(APIView):
    permission_classes = [IsBorrower]

    @extend_schema(request=None, responses={200: ApplicationSerializer})
    def post(self, request, pk):
        application = application_submit(application_id=pk, actor=request.user)
        return Response(ApplicationSerializer(application).data)


class ApplicationApproveView(APIView):
    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer})
    def post(self, request, pk):
        return serve(request, application_approve, ReasonSerializer, ApplicationSerializer, application_id=pk)


class ApplicationRejectView(APIView):
    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=ReasonSerializer, responses={200: ApplicationSerializer})
    def post(self, request, pk):
        return serve(request, application_reject, ReasonSerializer, ApplicationSerializer, application_id=pk)
