from django.urls import path

from apps.reports.api import views

urlpatterns = [
    path("admin/portfolio/summary", views.PortfolioSummaryView.as_view(), name="portfolio-summary"),
    path("reports/daily", views.DailyMetricsView.as_view(), name="reports-daily"),
    path("reports/daily/refresh", views.DailyMetricsRefreshView.as_view(), name="reports-daily-refresh"),
    path("reports/aging", views.AgingView.as_view(), name="reports-aging"),
]
