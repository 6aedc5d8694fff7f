from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.collections.api.filters import RecoveryActionFilter
from apps.collections.approvals import recovery_finish
from apps.collections.models import RecoveryAction
from apps.collections.services import recovery_initiate
from apps.core.api.fields import MoneyField
from apps.core.api.service_call import serve
from apps.core.idempotency import idempotent
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsOfficerOrAdmin


class RecoveryInitiateSerializer(serializers.Serializer):
    loan_id = serializers.UUIDField()
    action_type = serializers.ChoiceField(choices=RecoveryAction.ActionType.choices)
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class RecoveryCompleteSerializer(serializers.Serializer):
    recovered_amount = MoneyField(min_value=0)
    write_off_remaining = serializers.BooleanField(default=False)
    # Required (10+ characters) when the write-off is above WRITE_OFF_FOUR_EYES_AMOUNT: the
    # approver reads it.
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class RecoveryActionSerializer(serializers.ModelSerializer):
    loan_id = serializers.UUIDField(read_only=True)
    loan_status = serializers.CharField(source="loan.status", read_only=True)

    class Meta:
        model = RecoveryAction
        fields = [
            "id",
            "loan_id",
            "loan_status",
            "action_type",
            "notes",
            "status",
            "recovered_amount",
            "written_off_amount",
            "completed_on",
            "created_at",
        ]
        read_only_fields = fields


class RecoveryInitiateView(APIView):
    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=RecoveryInitiateSerializer, responses={201: RecoveryActionSerializer})
    @idempotent
    def post(self, request):
        return serve(request, recovery_initiate, RecoveryInitiateSerializer, RecoveryActionSerializer, created=True)


class WriteOffAskedSerializer(serializers.Serializer):
    approval_id = serializers.UUIDField()
    status = serializers.CharField()
    recovery_action = RecoveryActionSerializer()


class RecoveryCompleteView(APIView):
    """The recovery is applied at once; a write-off above WRITE_OFF_FOUR_EYES_AMOUNT waits for a
    second person: 202 with the request's id (and the completed action)."""

    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(
        request=RecoveryCompleteSerializer, responses={200: RecoveryActionSerializer, 202: WriteOffAskedSerializer}
    )
    @idempotent
    def post(self, request, pk):
        given = RecoveryCompleteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        action, approval = recovery_finish(action_id=pk, actor=request.user, **given.validated_data)
        if approval is None:
            return Response(RecoveryActionSerializer(action).data)
        asked = {"approval_id": approval.pk, "status": approval.status, "recovery_action": action}
        return Response(WriteOffAskedSerializer(asked).data, status=status.HTTP_202_ACCEPTED)


class RecoveryListView(generics.ListAPIView):
    permission_classes = [IsOfficerOrAdmin]
    serializer_class = RecoveryActionSerializer
    pagination_class = DefaultCursorPagination
    queryset = RecoveryAction.objects.none()

    filterset_class = RecoveryActionFilter
    queryset = RecoveryAction.objects.select_related("loan")
