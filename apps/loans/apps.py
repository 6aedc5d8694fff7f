from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "apps.loans"
    label = "loans"
