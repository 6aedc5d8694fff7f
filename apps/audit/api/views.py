import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.views import APIView

from apps.audit.api.filters import AuditLogFilter
from apps.audit.approvals import approval_approve, approval_reject
from apps.audit.models import Approval, AuditLog
from apps.core.api.service_call import serve
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsAdmin, IsOfficerOrAdmin
from apps.core.schema import error


class AuditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = [
            "id",
            "at",
            "actor",
            "actor_role",
            "action",
            "object_type",
            "object_id",
            "before",
            "after",
            "reason",
            "ip",
            "request_id",
        ]
        read_only_fields = fields


class AuditPagination(DefaultCursorPagination):
    ordering = "-at"


class AuditLogListView(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AuditLogSerializer
    pagination_class = AuditPagination
    filterset_class = AuditLogFilter
    queryset = AuditLog.objects.all()


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Approval
        fields = [
            "id",
            "kind",
            "object_type",
            "object_id",
            "payload",
            "reason",
            "requested_by",
            "status",
            "decided_by",
            "decided_at",
            "decision_reason",
            "result",
            "created_at",
        ]
        read_only_fields = fields


class ApprovalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Approval.Status.choices)
    kind = django_filters.CharFilter()

    class Meta:
        model = Approval
        fields = ["status", "kind"]


class ApprovalsView(generics.ListAPIView):
    """GET /admin/approvals?status=: the four-eyes requests, newest first."""

    permission_classes = [IsOfficerOrAdmin]
    serializer_class = ApprovalSerializer
    pagination_class = DefaultCursorPagination
    filterset_class = ApprovalFilter
    queryset = Approval.objects.all()


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ApprovalApproveView(APIView):
    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(
        request=DecisionSerializer,
        responses={200: ApprovalSerializer, 403: error("`four_eyes`: whoever asked never decides; ADMIN only.")},
    )
    def post(self, request, pk):
        return serve(request, approval_approve, DecisionSerializer, ApprovalSerializer, approval_id=pk)


class ApprovalRejectView(APIView):
    permission_classes = [IsOfficerOrAdmin]

    @extend_schema(request=DecisionSerializer, responses={200: ApprovalSerializer})
    def post(self, request, pk):
        return serve(request, approval_reject, DecisionSerializer, ApprovalSerializer, approval_id=pk)
