from django.urls import path

from apps.collections.api import views

urlpatterns = [
    path("recovery/", views.RecoveryListView.as_view(), name="recovery-list"),
    path("recovery/initiate", views.RecoveryInitiateView.as_view(), name="recovery-initiate"),
    path("recovery/<uuid:pk>/complete", views.RecoveryCompleteView.as_view(), name="recovery-complete"),
]
