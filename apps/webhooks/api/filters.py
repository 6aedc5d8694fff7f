import django_filters

from apps.webhooks.models import WebhookDelivery


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    endpoint = django_filters.UUIDFilter(field_name="endpoint_id")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "endpoint"]
