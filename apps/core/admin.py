from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse

from apps.core.admin_base import ModelAdmin, ReadOnlyAdmin
from apps.core.admin_filters import fixed_choices_filter
from apps.core.business_date import business_date_check, business_date_set
from apps.core.errors import InvalidInput
from apps.core.jobs import JOBS
from apps.core.jobs_runner import job_dispatch
from apps.core.models import BusinessDate, Event, IdempotencyRecord, JobRun
from apps.core.outbox import events_retry


class BusinessDateForm(forms.ModelForm):
    class Meta:
        model = BusinessDate
        fields = ["date"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        try:
            business_date_check(date=date)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from None
        return date


@admin.register(BusinessDate)
class BusinessDateAdmin(ModelAdmin):
    list_display = ["date", "updated_at"]
    form = BusinessDateForm

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service, so the change is audited like the API's.
        business_date_set(date=obj.date, actor=request.user, reason="changed in the admin")


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ["name", "business_date", "status", "triggered_by", "started_at", "duration_ms", "counts"]
    # Job names from the registry and a date filter: no DISTINCT over every run ever recorded
    # (offer_expiry alone runs every 15 minutes), as a name filter and date_hierarchy would do.
    list_filter = ["status", fixed_choices_filter("name", lambda: sorted(JOBS), title="job"), "created_at"]
    search_fields = ["=name", "=id"]
    actions = ["run_again_now"]
    change_list_template = "admin/core/jobrun/change_list.html"

    def get_urls(self):
        run_now = path("run/<str:name>/", self.admin_site.admin_view(self.run_now_view), name="core_jobrun_run_now")
        return [run_now, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        can_run = request.user.has_perm("core.add_jobrun")
        jobs = [{"name": name, "description": spec.description} for name, spec in sorted(JOBS.items())]
        return super().changelist_view(request, {**(extra_context or {}), "jobs": jobs, "can_run": can_run})

    def run_now_view(self, request, name):
        """ADMIN's "run now": queued for a worker like the API's 202, never run inside the request
        (a nightly job on a big book outlasts any web timeout, and would hold a web worker)."""
        if request.method != "POST" or not request.user.has_perm("core.add_jobrun"):
            raise PermissionDenied
        if name not in JOBS:
            raise Http404(f"No job named {name!r}.")
        self._queue(request, name)
        return HttpResponseRedirect(reverse("admin:core_jobrun_changelist"))

    @admin.action(description="Run these jobs again now (queued, for today's business date)")
    def run_again_now(self, request, queryset):
        if not request.user.has_perm("core.add_jobrun"):
            self.message_user(request, "Only ADMIN may run jobs.", messages.ERROR)
            return
        for name in sorted(set(queryset.values_list("name", flat=True)) & set(JOBS)):
            self._queue(request, name)

    def _queue(self, request, name):
        run = job_dispatch(name, triggered_by=request.user.get_username(), actor=request.user)
        self.message_user(request, f"Job {name} queued (run {run.pk}); refresh for its result.", messages.INFO)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    list_display = ["key", "user", "response_status", "created_at", "expires_at"]
    search_fields = ["=key"]
    raw_id_fields = ["user"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The outbox: what happened, whether every handler has taken it, and the DEAD ones whose
    handler kept failing, which ADMIN can send round again once the cause is fixed."""

    list_display = [
        "id",
        "topic",
        "aggregate_type",
        "aggregate_id",
        "business_date",
        "status",
        "attempts",
        "occurred_at",
    ]
    list_filter = ["status", fixed_choices_filter("topic", lambda: sorted(_known_topics()), title="topic")]
    search_fields = ["=aggregate_id", "=event_id"]
    show_facets = admin.ShowFacets.NEVER
    actions = ["retry"]

    @admin.action(description="Dispatch the selected DEAD events again", permissions=["change"])
    def retry(self, request, queryset):
        moved = events_retry(event_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(request, f"{moved} event(s) queued again.", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        # Only the action changes anything (ADMIN); the page itself stays read-only.
        return obj is None and request.user.has_perm("core.change_event")


def _known_topics():
    from apps.core.outbox import HANDLERS

    return {*HANDLERS, "loan.classification_changed", "emi.bounced", "collection_case.ptp_broken"}
