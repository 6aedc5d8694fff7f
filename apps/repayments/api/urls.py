from django.urls import path

from apps.repayments.api import views

urlpatterns = [
    path("repayments/loan/<uuid:pk>/emis", views.LoanInstallmentsView.as_view(), name="loan-emis"),
    path("repayments/loan/<uuid:pk>/history", views.LoanHistoryView.as_view(), name="loan-history"),
    path("repayments/loan/<uuid:pk>/prepay", views.PrepayView.as_view(), name="loan-prepay"),
    path("repayments/loan/<uuid:pk>/foreclosure-quote", views.ForeclosureQuoteView.as_view(), name="foreclosure-quote"),
    path("repayments/loan/<uuid:pk>/foreclose", views.ForecloseView.as_view(), name="loan-foreclose"),
    path("repayments/emi/<uuid:pk>/pay", views.EmiPayView.as_view(), name="emi-pay"),
    path("repayments/emi/<uuid:pk>/bounce", views.EmiBounceView.as_view(), name="emi-bounce"),
    path("admin/loans/<uuid:pk>/waive", views.LoanWaiveView.as_view(), name="loan-waive"),
    path("loans/<uuid:pk>/statement", views.StatementView.as_view(), name="loan-statement"),
    path("repayments/<uuid:pk>/receipt", views.ReceiptView.as_view(), name="repayment-receipt"),
]
