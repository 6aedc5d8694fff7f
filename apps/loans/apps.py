from django.apps import AppConfig


class LoansConfig(AppConfig):
    name = "apps.loans"
    verbose_name = "Lending"
    label = "loans"
