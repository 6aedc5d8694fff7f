from django.urls import path

from apps.ledger.api import views

urlpatterns = [path("admin/ledger/summary", views.LedgerSummaryView.as_view(), name="ledger-summary")]
