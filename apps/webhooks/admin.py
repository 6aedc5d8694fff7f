"""Partner webhooks in the console: endpoints (registered here or over the API, the secret shown
once) and deliveries, with "Send again"."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.core.admin_base import ReadOnlyAdmin
from apps.core.admin_filters import fixed_choices_filter
from apps.core.errors import DomainError
from apps.webhooks.models import PARTNER_EVENTS, WebhookDelivery, WebhookEndpoint
from apps.webhooks.services import deliveries_redeliver, endpoint_register


class EndpointForm(forms.Form):
    url = forms.CharField(label="URL", max_length=500, help_text="https only; never an address inside our network.")
    events = forms.MultipleChoiceField(choices=[(name, name) for name in PARTNER_EVENTS])
    description = forms.CharField(max_length=255, required=False)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ["url", "events", "description", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    fields = readonly_fields = ["url", "events", "description", "is_active", "created_by", "created_at"]

    def get_urls(self):
        register = self.admin_site.admin_view(self.register_view)
        return [path("register/", register, name="webhooks_webhookendpoint_register"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        can_register = request.user.has_perm("webhooks.add_webhookendpoint")
        extra = {"register_url": reverse("admin:webhooks_webhookendpoint_register")} if can_register else {}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def register_view(self, request):
        """ADMIN registers an endpoint; the secret is on this one page and nowhere else."""
        if not request.user.has_perm("webhooks.add_webhookendpoint"):  # the ADMIN group's
            raise PermissionDenied
        form = EndpointForm(request.POST or None)
        endpoint = None
        if request.method == "POST" and form.is_valid():
            try:
                endpoint = endpoint_register(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(
                    getattr(exc, "field", None) if getattr(exc, "field", None) in form.fields else None, str(exc)
                )
        context = {
            **self.admin_site.each_context(request),
            "title": "Register a partner endpoint",
            "form": form,
            "endpoint": endpoint,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/webhooks/register_endpoint.html", context)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "event_type", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at"]
    # The event types are a fixed list: no DISTINCT over the deliveries to offer them.
    list_filter = ["status", fixed_choices_filter("event_type", PARTNER_EVENTS, title="event")]
    search_fields = ["=id", "=event__event_id", "ordering_key"]
    list_select_related = ["endpoint"]
    show_facets = admin.ShowFacets.NEVER
    actions = ["send_again"]
    fields = readonly_fields = [
        "endpoint",
        "event",
        "event_type",
        "ordering_key",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]

    @admin.action(description="Send again now", permissions=["change"])
    def send_again(self, request, queryset):
        moved = deliveries_redeliver(delivery_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(request, f"{moved} delivery(ies) queued to send again.", messages.SUCCESS)
        return HttpResponseRedirect(request.get_full_path())

    def has_change_permission(self, request, obj=None):
        # The action needs "change" (the ADMIN group's); the page itself stays read-only.
        return obj is None and request.user.has_perm("webhooks.change_webhookdelivery")
