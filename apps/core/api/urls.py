from django.urls import path

from apps.core.api import admin_views

urlpatterns = [
    path("admin/business-date", admin_views.BusinessDateView.as_view(), name="business-date"),
    path("admin/jobs/runs", admin_views.JobRunListView.as_view(), name="job-runs"),
    path("admin/jobs/<str:name>/run", admin_views.JobRunView.as_view(), name="job-run"),
]
