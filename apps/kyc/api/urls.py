from django.urls import path

from apps.kyc.api import views

urlpatterns = [
    path("kyc/onboard", views.OnboardView.as_view(), name="kyc-onboard"),
    path("kyc/documents", views.DocumentUploadView.as_view(), name="kyc-documents"),
    path("kyc/documents/<uuid:pk>/download", views.DocumentDownloadView.as_view(), name="kyc-document-download"),
    path("businesses/me", views.MyBusinessView.as_view(), name="business-me"),
    path("businesses/<uuid:pk>/collaterals", views.CollateralsView.as_view(), name="business-collaterals"),
]
