from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "apps.payments"
    verbose_name = "Money rails"
    label = "payments"

    def ready(self):
        # The rail's event types are applied by the modules that own what they move; importing
        # them registers their appliers (apps.payments.webhooks.APPLIERS).
        from apps.payments import intents, intents_bulk, mandates, payouts  # noqa: F401
