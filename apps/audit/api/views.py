from rest_framework import generics, serializers

from apps.audit.api.filters import AuditLogFilter
from apps.audit.models import AuditLog
from apps.core.pagination import DefaultCursorPagination
from apps.core.permissions import IsAdmin


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
