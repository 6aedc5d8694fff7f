"""Admin actions that call a service and ask for a reason first (intermediate page)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from apps.core.errors import DomainError


def reason_action(service, *, description: str, name: str, permission: str = "change", key: str = ""):
    """An action running `service(<model>_id=obj.pk, actor=user, reason=...)` for every selected
    row (`key` names the id keyword when it is not `<model>_id`)."""

    def action(modeladmin, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("apply") and reason:
            for obj in queryset:
                try:
                    service(**{key or f"{obj._meta.model_name}_id": obj.pk}, actor=request.user, reason=reason)
                except DomainError as exc:
                    modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
                else:
                    modeladmin.message_user(request, f"{obj}: done", messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/reason_form.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": description,
                "queryset": queryset,
                "action": name,
                "opts": modeladmin.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "missing_reason": bool(request.POST.get("apply")),
            },
        )

    action.__name__ = name
    return admin.action(description=description, permissions=[permission])(action)
