from rest_framework import serializers


class ApprovalAskedSerializer(serializers.Serializer):
    """The 202 of an operation that waits for a second person (apps/audit/approvals.py)."""

    approval_id = serializers.UUIDField(source="pk")
    status = serializers.CharField()
