from django.urls import path

from apps.banking.api import views

urlpatterns = [
    path("aa/banks", views.BanksView.as_view(), name="aa-banks"),
    path("aa/consents", views.ConsentsView.as_view(), name="aa-consents"),
    path("aa/consents/refresh", views.ConsentsRefreshView.as_view(), name="aa-consents-refresh"),
]
