from django.urls import path

from apps.reports.api import views

urlpatterns = [
    path("admin/portfolio/summary", views.PortfolioSummaryView.as_view(), name="portfolio-summary"),
]
