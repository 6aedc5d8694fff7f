from django.contrib import admin
from django.utils.html import format_html_join

from apps.core.admin_base import ReadOnlyAdmin
from apps.core.admin_filters import fixed_choices_filter, work_first_filter
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.risk.fraud import risk_alert_clear, risk_alert_confirm
from apps.risk.fraud_rules import RULE_DESCRIPTIONS
from apps.risk.models import CreditScore, RiskAlert
from apps.risk.rules import GRADES


@admin.register(CreditScore)
class CreditScoreAdmin(ReadOnlyAdmin):
    list_display = ["business", "score", "grade", "rule_set_version", "computed_at"]
    # Grades from the rule set, not a DISTINCT over every score; no filter on rule_set_version,
    # whose past values only the table knows (it is shown in the list).
    list_filter = [fixed_choices_filter("grade", sorted(grade for _, grade in GRADES))]
    search_fields = ["=business__gstin"]
    list_select_related = ["business"]


# The queue opens on what waits for ops, like every worklist (over ix_riskalert_open_queue).
OpenAlertsFilter = work_first_filter(
    "alerts",
    title="alerts",
    work=lambda alerts: alerts.filter(status=RiskAlert.Status.OPEN),
    work_label="Open: to review",
    all_label="All alerts",
)


@admin.register(RiskAlert)
class RiskAlertAdmin(TransitionButtonsMixin, ReadOnlyAdmin):
    """The fraud review queue: open alerts unless "All alerts" is chosen; clear (the held action
    may go on) or confirm (the subject stays refused), each with a note, on the alert's page."""

    transition_buttons = [
        Button("clear", "Clear: nothing wrong", risk_alert_clear, transition="clear", needs_reason=True),
        Button("confirm", "Confirm fraud", risk_alert_confirm, transition="confirm", needs_reason=True),
    ]
    list_display = ["rule", "decision", "status", "subject", "business", "action", "created_at", "reviewed_by"]
    list_filter = [
        OpenAlertsFilter,
        "status",
        "decision",
        fixed_choices_filter("rule", sorted(RiskAlert._meta.get_field("rule").choices)),
    ]
    search_fields = ["=subject_id", "=business__gstin"]
    list_select_related = ["business", "reviewed_by"]
    fields = readonly_fields = [
        "rule",
        "what_it_means",
        "decision",
        "status",
        "action",
        "subject",
        "business",
        "evidence_list",
        "created_at",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    ]

    @admin.display(description="what it means")
    def what_it_means(self, alert):
        return RULE_DESCRIPTIONS.get(alert.rule, "")

    @admin.display(description="subject")
    def subject(self, alert):
        return f"{alert.subject_type} {alert.subject_id}"

    @admin.display(description="evidence")
    def evidence_list(self, alert):
        return format_html_join("", "<div><strong>{}</strong>: {}</div>", sorted(alert.evidence.items()))
