from django.urls import path

from apps.kyc.api import bank_accounts, views

urlpatterns = [
    path("kyc/onboard", views.OnboardView.as_view(), name="kyc-onboard"),
    path("kyc/documents", views.DocumentUploadView.as_view(), name="kyc-documents"),
    path("kyc/documents/<uuid:pk>/download", views.DocumentDownloadView.as_view(), name="kyc-document-download"),
    path("businesses/me", views.MyBusinessView.as_view(), name="business-me"),
    path("businesses/me/bank-accounts", bank_accounts.MyBankAccountsView.as_view(), name="business-me-bank-accounts"),
    path("businesses/<uuid:pk>/collaterals", views.CollateralsView.as_view(), name="business-collaterals"),
]
