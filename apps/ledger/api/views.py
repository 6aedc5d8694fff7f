from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit.api.serializers import ApprovalAskedSerializer
from apps.core.api.fields import MoneyOutputField
from apps.core.api.service_call import serve
from apps.core.money import TOTAL_DIGITS
from apps.core.permissions import IsAdmin, IsOfficerOrAdmin
from apps.ledger.approvals import ledger_reversal_request
from apps.ledger.models import JournalEntry
from apps.ledger.selectors import ledger_summary


class AccountTotalsSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    debit = MoneyOutputField(max_digits=TOTAL_DIGITS)
    credit = MoneyOutputField(max_digits=TOTAL_DIGITS)
    balance = MoneyOutputField(max_digits=TOTAL_DIGITS)


class LedgerSummarySerializer(serializers.Serializer):
    accounts = AccountTotalsSerializer(many=True)
    total_debit = MoneyOutputField(max_digits=TOTAL_DIGITS)
    total_credit = MoneyOutputField(max_digits=TOTAL_DIGITS)
    balanced = serializers.BooleanField()


class LedgerSummaryView(APIView):
    """The trial balance from the balance snapshots (milliseconds, however long the journal),
    which the nightly `ledger_drift_check` job proves equal to the journal lines."""

    permission_classes = [IsAdmin]

    @extend_schema(responses={200: LedgerSummarySerializer})
    def get(self, request):
        return Response(LedgerSummarySerializer(ledger_summary()).data)


class ReversalInputSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=10, max_length=1000, help_text="Kept in the audit trail.")


class EntryReverseView(APIView):
    """POST /admin/ledger/entries/{id}/reverse: a ledger adjustment, asked for here and posted
    when a second person (an ADMIN who did not ask) approves it under /admin/approvals."""

    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=ReversalInputSerializer, responses={202: ApprovalAskedSerializer})
    def post(self, request, pk):
        entry = get_object_or_404(JournalEntry, pk=pk)
        return serve(
            request,
            ledger_reversal_request,
            ReversalInputSerializer,
            ApprovalAskedSerializer,
            accepted=True,
            entry_id=entry.pk,
        )
