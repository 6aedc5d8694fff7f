from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit.api.serializers import ApprovalAskedSerializer
from apps.core.api.service_call import serve
from apps.core.idempotency import idempotent
from apps.core.permissions import IsOfficerOrAdmin
from apps.loans.api.serializers import ContractLinkSerializer, InstallmentSerializer
from apps.loans.selectors import loans_visible_to
from apps.repayments.api import serializers as s
from apps.repayments.approvals import charge_waiver_request
from apps.repayments.models import Repayment
from apps.repayments.selectors import foreclosure_quote, loan_history
from apps.repayments.services import emi_bounce, emi_pay, loan_foreclose, loan_prepay
from apps.repayments.services.receipts import receipt_link, statement_link
from apps.repayments.statement import loan_statement


def repayment_result(repayment: Repayment) -> dict:
    # The loan as the payment left it, still locked by this request's transaction: read back
    # from the database it could only say the same thing.
    loan = repayment.loan
    installment = repayment.installment
    return {
        "id": repayment.pk,
        "kind": repayment.kind,
        "amount": repayment.amount,
        "allocation": {"penalty": repayment.penalty, "interest": repayment.interest, "principal": repayment.principal},
        "installment_status": installment.status if installment else None,
        "loan_status": loan.status,
        "loan_outstanding": loan.outstanding_total,
    }


class LoanInstallmentsView(APIView):
    """The whole schedule in order: a loan has at most a few hundred installments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: InstallmentSerializer(many=True)})
    def get(self, request, pk):
        loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
        return Response(InstallmentSerializer(loan.installments.order_by("number"), many=True).data)


class EmiPayView(APIView):
    throttle_scope = "money"
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.PayInputSerializer, responses={201: s.RepaymentResultSerializer})
    @idempotent
    def post(self, request, pk):
        data = s.PayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repayment = emi_pay(installment_id=pk, actor=request.user, amount=data.validated_data.get("amount"))
        return Response(s.RepaymentResultSerializer(repayment_result(repayment)).data, status=status.HTTP_201_CREATED)


class EmiBounceView(APIView):
    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=s.BounceInputSerializer, responses={201: s.BounceResultSerializer})
    @idempotent
    def post(self, request, pk):
        data = s.BounceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bounce = emi_bounce(installment_id=pk, code=data.validated_data["reason"], actor=request.user)
        loan = bounce.loan
        body = {
            "id": bounce.pk,
            "installment_id": bounce.installment_id,
            "reason": bounce.return_code_id,
            "reason_text": bounce.return_code.description,
            "charge": bounce.charge + bounce.gst,
            "bounce_count": loan.bounce_count,
            "loan_status": loan.status,
        }
        return Response(s.BounceResultSerializer(body).data, status=status.HTTP_201_CREATED)


class LoanHistoryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.HistoryItemSerializer(many=True)})
    def get(self, request, pk):
        loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
        return Response(s.HistoryItemSerializer(loan_history(loan_id=loan.pk), many=True).data)


class LoanAmountView(APIView):
    """A payment of an amount on the whole loan: `service` is loan_prepay or loan_foreclose."""

    throttle_scope = "money"

    permission_classes = [IsAuthenticated]
    service = None

    @extend_schema(request=s.AmountInputSerializer, responses={201: s.RepaymentResultSerializer})
    @idempotent
    def post(self, request, pk):
        data = s.AmountInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        repayment = type(self).service(loan_id=pk, actor=request.user, amount=data.validated_data["amount"])
        return Response(s.RepaymentResultSerializer(repayment_result(repayment)).data, status=status.HTTP_201_CREATED)


class PrepayView(LoanAmountView):
    service = staticmethod(loan_prepay)


class ForeclosureQuoteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.ForeclosureQuoteSerializer})
    def get(self, request, pk):
        loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
        quote = foreclosure_quote(loan)
        return Response(s.ForeclosureQuoteSerializer({**quote.__dict__, "total": quote.total}).data)


class ForecloseView(LoanAmountView):
    service = staticmethod(loan_foreclose)


class ReceiptView(APIView):
    """GET /repayments/{id}/receipt: a signed link to the repayment's PDF receipt."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: ContractLinkSerializer})
    def get(self, request, pk):
        loans = loans_visible_to(request.user).values("pk")
        repayment = get_object_or_404(
            Repayment.objects.select_related("loan__business", "installment").filter(loan__in=loans), pk=pk
        )
        return Response(ContractLinkSerializer(receipt_link(repayment)).data)


class StatementView(APIView):
    """GET /loans/{id}/statement?from=&to=&format=json|pdf: the statement of account."""

    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # `format` is this endpoint's own parameter (json or a pdf link), not DRF's renderer
        # override: the answer is JSON either way.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        parameters=[s.StatementQuerySerializer],
        responses={200: s.StatementSerializer},
        description="With `format=pdf` the answer is `{url, expires_at, sha256}`: a signed link to the PDF.",
    )
    def get(self, request, pk):
        loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
        query = s.StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        statement = loan_statement(
            loan=loan, date_from=query.validated_data.get("from"), date_to=query.validated_data.get("to")
        )
        if query.validated_data["format"] == "pdf":
            return Response(ContractLinkSerializer(statement_link(statement)).data)
        return Response(s.StatementSerializer(statement).data)


class LoanWaiveView(APIView):
    """POST /admin/loans/{id}/waive: a charge waiver, asked for here and applied when a second
    person (an ADMIN who did not ask) approves it under /admin/approvals."""

    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=s.WaiveInputSerializer, responses={202: ApprovalAskedSerializer})
    def post(self, request, pk):
        loan = get_object_or_404(loans_visible_to(request.user), pk=pk)
        return serve(
            request,
            charge_waiver_request,
            s.WaiveInputSerializer,
            ApprovalAskedSerializer,
            accepted=True,
            loan_id=loan.pk,
        )
