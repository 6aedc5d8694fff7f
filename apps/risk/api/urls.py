from django.urls import path

from apps.risk.api import views

urlpatterns = [
    path("businesses/me/credit-score", views.MyCreditScoreView.as_view(), name="credit-score"),
    path(
        "businesses/me/credit-score/recalculate",
        views.RecalculateCreditScoreView.as_view(),
        name="credit-score-recalculate",
    ),
    path("risk/evaluations", views.RiskEvaluationView.as_view(), name="risk-evaluations"),
    path("admin/risk-alerts", views.RiskAlertsView.as_view(), name="risk-alerts"),
    path(
        "admin/risk-alerts/<uuid:pk>/clear",
        views.RiskAlertClearView.as_view(),
        name="risk-alert-clear",
    ),
    path(
        "admin/risk-alerts/<uuid:pk>/confirm",
        views.RiskAlertConfirmView.as_view(),
        name="risk-alert-confirm",
    ),
]
