from django.urls import path

from apps.ledger.api import views

urlpatterns = [
    path("admin/ledger/summary", views.LedgerSummaryView.as_view(), name="ledger-summary"),
    path("admin/ledger/entries/<uuid:pk>/reverse", views.EntryReverseView.as_view(), name="ledger-entry-reverse"),
]
