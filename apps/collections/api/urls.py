from django.urls import path

from apps.collections.api import cases, views

urlpatterns = [
    path("collections/cases", cases.CaseListView.as_view(), name="case-list"),
    path("collections/cases/<uuid:pk>", cases.CaseDetailView.as_view(), name="case-detail"),
    path("collections/cases/<uuid:pk>/actions", cases.CaseActionView.as_view(), name="case-actions"),
    path("collections/cases/<uuid:pk>/assign", cases.CaseAssignView.as_view(), name="case-assign"),
    path("recovery/", views.RecoveryListView.as_view(), name="recovery-list"),
    path("recovery/initiate", views.RecoveryInitiateView.as_view(), name="recovery-initiate"),
    path("recovery/<uuid:pk>/complete", views.RecoveryCompleteView.as_view(), name="recovery-complete"),
]
