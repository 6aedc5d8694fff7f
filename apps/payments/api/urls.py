from django.urls import path

from apps.payments.api import intents, mandates, payouts, views

urlpatterns = [
    path("repayments/loan/<uuid:pk>/payment-intents", intents.LoanIntentsView.as_view(), name="loan-payment-intents"),
    path("payments/intents/<uuid:pk>", intents.IntentView.as_view(), name="payment-intent"),
    path("loans/<uuid:pk>/mandate", mandates.LoanMandateView.as_view(), name="loan-mandate"),
    path("webhooks/payments", views.PaymentWebhookView.as_view(), name="payments-webhook"),
    path("admin/payouts", payouts.PayoutListView.as_view(), name="payout-list"),
    path("admin/settlements", views.SettlementUploadView.as_view(), name="settlement-upload"),
]
