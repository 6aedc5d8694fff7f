from django.urls import path

from apps.invoices.api import views

urlpatterns = [
    path("invoices/add", views.InvoiceAddView.as_view(), name="invoice-add"),
    path("invoices/my", views.MyInvoicesView.as_view(), name="invoice-my"),
    path("invoices/<uuid:pk>", views.InvoiceDetailView.as_view(), name="invoice-detail"),
]
