from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "apps.invoices"
    verbose_name = "Applications"
    label = "invoices"

    def ready(self):
        from apps.invoices.selectors import invoice_signals
        from apps.risk.sources import register_signal_source

        register_signal_source("invoices", invoice_signals)
