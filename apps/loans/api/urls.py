from django.urls import path

from apps.loans.api import views

urlpatterns = [
    path("products", views.ProductsView.as_view(), name="products"),
    path("products/<uuid:pk>", views.ProductDetailView.as_view(), name="product-detail"),
    path("offers/generate", views.OfferGenerateView.as_view(), name="offer-generate"),
    path("offers/invoice/<uuid:pk>", views.InvoiceOffersView.as_view(), name="offer-invoice"),
    path("loans/sanction", views.LoanSanctionView.as_view(), name="loan-sanction"),
    path("businesses/<uuid:pk>/limits", views.BusinessLimitsView.as_view(), name="business-limits"),
    path("businesses/me/refinance", views.MyRefinanceView.as_view(), name="business-me-refinance"),
    path("loans/my", views.MyLoansView.as_view(), name="loan-my"),
    path("loans/<uuid:pk>", views.LoanDetailView.as_view(), name="loan-detail"),
    path("loans/<uuid:pk>/contract", views.LoanContractView.as_view(), name="loan-contract"),
    path("admin/loans/<uuid:pk>/override", views.LoanOverrideView.as_view(), name="loan-override"),
]
