from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

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


FILTERS = ("action", "object_type", "object_id", "actor")


@extend_schema(parameters=[OpenApiParameter(name, str) for name in FILTERS])
class AuditLogListView(generics.ListAPIView):
    permission_classes = [IsAdmin]
    serializer_class = AuditLogSerializer
    pagination_class = AuditPagination

    def get_queryset(self):
        logs = AuditLog.objects.all()
        for name in FILTERS:
            if value := self.request.query_params.get(name):
                logs = logs.filter(**{"actor_id" if name == "actor" else name: value})
        return logs
