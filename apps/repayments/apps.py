from django.apps import AppConfig


class RepaymentsConfig(AppConfig):
    name = "apps.repayments"
    verbose_name = "Repayments"
    label = "repayments"

    def ready(self):
        # risk sits below repayments and cannot import it: the signal reaches the score
        # through risk's registry, as invoices' does.
        from apps.repayments.selectors import repayment_signals
        from apps.risk.sources import register_signal_source

        register_signal_source("repayments", repayment_signals)
