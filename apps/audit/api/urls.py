from django.urls import path

from apps.audit.api import views

urlpatterns = [
    path("admin/audit-logs", views.AuditLogListView.as_view(), name="audit-logs"),
    path("admin/approvals", views.ApprovalsView.as_view(), name="approvals"),
    path("admin/approvals/<uuid:pk>/approve", views.ApprovalApproveView.as_view(), name="approval-approve"),
    path("admin/approvals/<uuid:pk>/reject", views.ApprovalRejectView.as_view(), name="approval-reject"),
]
