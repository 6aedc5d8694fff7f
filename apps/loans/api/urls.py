from django.urls import path

from apps.loans.api import views

urlpatterns = [
    path("products", views.ProductsView.as_view(), name="products"),
    path("products/<uuid:pk>", views.ProductDetailView.as_view(), name="product-detail"),
    path("loan-applications", views.ApplicationsView.as_view(), name="applications"),
    path("loan-applications/<uuid:pk>", views.ApplicationDetailView.as_view(), name="application-detail"),
    path("loan-applications/<uuid:pk>/submit", views.ApplicationSubmitView.as_view(), name="application-submit"),
    path("loan-applications/<uuid:pk>/approve", views.ApplicationApproveView.as_view(), name="application-approve"),
    path("loan-applications/<uuid:pk>/reject", views.ApplicationRejectView.as_view(), name="application-reject"),
    path("offers/generate", views.OfferGenerateView.as_view(), name="offer-generate"),
    path("offers/invoice/<uuid:pk>", views.InvoiceOffersView.as_view(), name="offer-invoice"),
    path("loans/sanction", views.LoanSanctionView.as_view(), name="loan-sanction"),
    path("businesses/<uuid:pk>/limits", views.BusinessLimitsView.as_view(), name="business-limits"),
    path("admin/businesses/<uuid:pk>/limit-override", views.LimitOverrideView.as_view(), name="limit-override"),
    path("businesses/me/refinance", views.MyRefinanceView.as_view(), name="business-me-refinance"),
    path("loans/my", views.MyLoansView.as_view(), name="loan-my"),
    path("loans/<uuid:pk>", views.LoanDetailView.as_view(), name="loan-detail"),
    path("loans/<uuid:pk>/contract", views.LoanContractView.as_view(), name="loan-contract"),
    path("admin/loans/<uuid:pk>/override", views.LoanOverrideView.as_view(), name="loan-override"),
]
