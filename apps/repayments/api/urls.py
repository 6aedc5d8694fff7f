from django.urls import path

from apps.repayments.api import views

urlpatterns = [
    path("repayments/loan/<uuid:pk>/emis", views.LoanInstallmentsView.as_view(), name="loan-emis"),
]
