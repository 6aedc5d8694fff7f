from django.urls import path

from apps.payments.api import views

urlpatterns = [
    path("webhooks/payments", views.PaymentWebhookView.as_view(), name="payments-webhook"),
]
