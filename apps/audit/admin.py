from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from apps.audit.approvals import KINDS, approval_approve, approval_reject
from apps.audit.models import Approval, AuditLog
from apps.core.admin_base import ReadOnlyAdmin, short_id
from apps.core.admin_filters import fixed_choices_filter, work_first_filter
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.core.roles import Role

# record() writes the actor's role, or SYSTEM when a job or a signal acted without one.
ACTOR_ROLES = [*Role.choices, ("SYSTEM", "System")]


def _object_types() -> list[str]:
    """What record() puts in object_type: the label of a model of this project (or the live
    settings'), known from the app registry rather than read from the table."""
    labels = {model._meta.label_lower for model in apps.get_models() if model.__module__.startswith("apps.")}
    return sorted(labels | {"constance.config"})


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "object_type", "object", "actor", "actor_role", "ip", "request_ref"]
    # No filter on action: its values are open-ended, so Django would list them with a DISTINCT
    # over the whole log on every page; the prefix search below finds them instead. "at" is a
    # date filter rather than date_hierarchy, whose links come from another DISTINCT scan.
    list_filter = [
        fixed_choices_filter("actor_role", ACTOR_ROLES, title="actor role"),
        fixed_choices_filter("object_type", _object_types, title="object type"),
        "at",
    ]
    # action__startswith is LIKE 'term%', served by the varchar_pattern_ops index Django adds for
    # db_index=True; "^action" (istartswith) would compare UPPER(action) and scan the table.
    search_fields = ["=object_id", "=request_id", "action__startswith"]
    list_select_related = ["actor"]

    @admin.display(description="object", ordering="object_id")
    def object(self, log):
        return short_id(log.object_id)

    @admin.display(description="request", ordering="request_id")
    def request_ref(self, log):
        return short_id(log.request_id)


PendingApprovalsFilter = work_first_filter(
    "approvals",
    title="requests",
    work=lambda approvals: approvals.filter(status=Approval.Status.PENDING),
    work_label="Pending: to decide",
    all_label="All requests",
)


@admin.register(Approval)
class ApprovalAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    """Four eyes: the requests waiting for a second person. An ADMIN who did not ask approves
    (the operation runs then) or rejects, each with a note; the service refuses the requester."""

    transition_buttons = [
        Button("approve", "Approve and apply", approval_approve, transition="approve", needs_reason=True),
        Button("reject", "Reject", approval_reject, transition="reject", needs_reason=True),
    ]
    list_display = ["kind_label", "object_type", "object_ref", "requested_by", "created_at", "status", "decided_by"]
    list_filter = [PendingApprovalsFilter, "status", fixed_choices_filter("kind", lambda: sorted(KINDS))]
    search_fields = ["=object_id"]
    list_select_related = ["requested_by", "decided_by"]
    fields = readonly_fields = [
        "kind_label",
        "object_type",
        "object_link",
        "what_is_asked",
        "reason",
        "requested_by",
        "created_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_reason",
        "result",
    ]

    @admin.display(description="request")
    def kind_label(self, approval):
        kind = KINDS.get(approval.kind)
        return kind.label if kind else approval.kind

    @admin.display(description="object")
    def object_ref(self, approval):
        return short_id(approval.object_id)

    @admin.display(description="object")
    def object_link(self, approval):
        """The loan or business the request is about, linked to its page in the console."""
        app_label, _, model = approval.object_type.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model}_change", args=[approval.object_id])
        except NoReverseMatch:
            return approval.object_id
        return format_html('<a href="{}">{}</a>', url, approval.object_id)

    @admin.display(description="what is asked")
    def what_is_asked(self, approval):
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", sorted(approval.payload.items()))
