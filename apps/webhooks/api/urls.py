from django.urls import path

from apps.webhooks.api import views

urlpatterns = [
    path("admin/webhook-endpoints", views.EndpointsView.as_view(), name="webhook-endpoints"),
    path("admin/webhook-deliveries", views.DeliveriesView.as_view(), name="webhook-deliveries"),
    path("admin/webhook-deliveries/<int:pk>/redeliver", views.RedeliverView.as_view(), name="webhook-redeliver"),
]
