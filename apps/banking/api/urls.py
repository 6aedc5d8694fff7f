from django.urls import path

from apps.banking.api import views

urlpatterns = [
    path("aa/banks", views.BanksView.as_view(), name="aa-banks"),
    path("aa/consents", views.ConsentsView.as_view(), name="aa-consents"),
    path("aa/consents/refresh", views.ConsentsRefreshView.as_view(), name="aa-consents-refresh"),
    path("webhooks/aa", views.AggregatorNotificationView.as_view(), name="aa-notification"),
    path("aa/sync", views.SyncView.as_view(), name="aa-sync"),
    path("aa/syncs/<uuid:pk>", views.SyncDetailView.as_view(), name="aa-sync-detail"),
    path("businesses/me/cash-flow", views.MyCashFlowView.as_view(), name="business-me-cash-flow"),
    path("businesses/<uuid:pk>/cash-flow", views.CashFlowView.as_view(), name="business-cash-flow"),
]
