from django.apps import AppConfig


class RepaymentsConfig(AppConfig):
    name = "apps.repayments"
    label = "repayments"
