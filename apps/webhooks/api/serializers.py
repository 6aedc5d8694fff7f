from rest_framework import serializers

from apps.webhooks.models import PARTNER_EVENTS, WebhookDelivery, WebhookEndpoint


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    # A flat list of errors for one field (a ListField would key them by position).
    events = serializers.MultipleChoiceField(choices=PARTNER_EVENTS, allow_empty=False)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class EndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "description", "is_active", "created_at"]
        read_only_fields = fields


class EndpointCreatedSerializer(EndpointSerializer):
    """The one answer that carries the secret: the partner copies it now or never."""

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(source="event.event_id", read_only=True)
    endpoint_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "endpoint_id",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields
