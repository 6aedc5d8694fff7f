from django.urls import path

from apps.audit.api import views

urlpatterns = [path("admin/audit-logs", views.AuditLogListView.as_view(), name="audit-logs")]
