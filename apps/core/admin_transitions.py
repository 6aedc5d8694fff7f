"""Transition buttons on an admin change page, each calling a service.

    class BusinessAdmin(TransitionButtonsMixin, admin.ModelAdmin):
        transition_buttons = [
            Button("approve", "Approve KYC", kyc_approve, transition="approve", needs_reason=True),
        ]

A button names the django-fsm transition its service takes on the object (Business.approve)
and is shown when `can_proceed(obj.<transition>)` says so (its source states and conditions,
as the model declares them) and the user has the button's permission. It posts to
`<object>/transition/<name>/`, which asks for a reason first when the service needs one, calls
`service(<model>_id=obj.pk, actor=user[, reason=...])` (services take keyword arguments only;
`key` names the id keyword when it is not `<model>_id`) and shows the service's own error message when the
transition is not allowed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_fsm import can_proceed

from apps.core.errors import DomainError


@dataclass(frozen=True)
class Button:
    name: str
    label: str
    service: Callable
    # The name of the model's @transition method the service takes: the button is shown when
    # django-fsm's can_proceed allows it on the object.
    transition: str | None = None
    needs_reason: bool = False
    # "change" means <app>.change_<model>; a dotted name ("repayments.add_bounce") is used as is.
    permission: str = "change"
    # Extra inputs the service takes, as (keyword, label, html input type); e.g. an amount.
    fields: tuple = ()
    # Only for an action that changes no state of the model (unlocking a login, resetting a
    # second factor on a User, which has no state machine): when it applies, instead of a transition.
    condition: Callable | None = None
    # The keyword the service takes the object's id under; "" means "<model name>_id".
    key: str = ""

    def __post_init__(self):
        if (self.transition is None) == (self.condition is None):
            raise ValueError(f"button {self.name}: name a transition, or a condition for an action that is not one")

    def perm(self, app_label: str, model_name: str) -> str:
        return self.permission if "." in self.permission else f"{app_label}.{self.permission}_{model_name}"

    def allowed(self, obj) -> bool:
        if self.transition is None:
            return self.condition(obj)
        return can_proceed(getattr(obj, self.transition))


class TransitionButtonsMixin:
    transition_buttons: list[Button] = []
    change_form_template = "admin/transition_change_form.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = [
            path(
                "<path:object_id>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{info[0]}_{info[1]}_transition",
            )
        ]
        return extra + super().get_urls()

    def _button(self, name: str) -> Button:
        for button in self.transition_buttons:
            if button.name == name:
                return button
        raise Http404("no such transition")

    def buttons_for(self, request, obj) -> list[dict]:
        if obj is None:
            return []
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            {"label": b.label, "url": reverse(f"admin:{info[0]}_{info[1]}_transition", args=[obj.pk, b.name])}
            for b in self.transition_buttons
            if b.allowed(obj) and request.user.has_perm(b.perm(*info))
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "transition_buttons": self.buttons_for(request, obj)}
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, object_id, name):
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404("not found")
        button = self._button(name)
        info = self.model._meta.app_label, self.model._meta.model_name
        if not request.user.has_perm(button.perm(*info)):
            raise PermissionDenied
        change_url = reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])
        reason = (request.POST.get("reason") or "").strip()
        if request.method != "POST" or (button.needs_reason and not reason):
            return TemplateResponse(
                request,
                "admin/transition_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": f"{button.label}: {obj}",
                    "button": button,
                    "object": obj,
                    "opts": self.model._meta,
                    "change_url": change_url,
                    "missing_reason": request.method == "POST",
                },
            )
        kwargs = {"actor": request.user}
        if button.needs_reason:
            kwargs["reason"] = reason
        for keyword, _label, kind in button.fields:
            value = request.POST.get(keyword)
            kwargs[keyword] = value == "on" if kind == "checkbox" else (value or "").strip()
        try:
            done = button.service(**{button.key or f"{info[1]}_id": obj.pk}, **kwargs)
        except DomainError as exc:
            self.message_user(request, f"{button.label} was not done: {exc.message}", messages.ERROR)
        else:
            # A service may say more than "done" (e.g. that a second person must approve).
            message = done if isinstance(done, str) else f"{button.label}: done."
            self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(change_url)
