from django.apps import AppConfig


class KycConfig(AppConfig):
    name = "apps.kyc"
    verbose_name = "Borrowers (KYC)"
    label = "kyc"
