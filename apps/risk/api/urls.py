from django.urls import path

from apps.risk.api import views

urlpatterns = [
    path("businesses/me/credit-score", views.MyCreditScoreView.as_view(), name="credit-score"),
    path(
        "businesses/me/credit-score/recalculate",
        views.RecalculateCreditScoreView.as_view(),
        name="credit-score-recalculate",
    ),
]
