"""Admin pages that ask for what an action needs in a form, then call a service.

    class LoanAdmin(FormActionsMixin, admin.ModelAdmin):
        form_actions = [FormAction("record_payment", "Record a payment", PaymentForm, "repayments.add_repayment")]

Each action is a page at `<object>/do/<name>/`, linked from the change page's tools. GET shows
the form (built with the object, so it can offer the object's own choices and previews); POST
validates it and calls `form.save(actor=user)`, which calls the service. A domain error that
names a field is shown on that field, any other beside the form: never a 500. Success redirects
to the change page with the form's message.

The form carries a hidden `token` made when the page is shown: services use it as the id of the
row they write, so a form sent twice does its work once.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from apps.core.errors import DomainError


class ActionForm(forms.Form):
    """The base of an action's form: `obj` is the page's object; `save` calls the service and
    returns the success message."""

    token = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, obj, **kwargs):
        self.obj = obj
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def context(self) -> dict:
        """What the page shows beside the form (a preview, a warning)."""
        return {}

    def save(self, *, actor) -> str:
        raise NotImplementedError

    def apply_error(self, exc: DomainError) -> None:
        field = getattr(exc, "field", None)
        self.add_error(field if field in self.fields else None, exc.message)


@dataclass(frozen=True)
class FormAction:
    name: str
    label: str
    form_class: type[ActionForm]
    permission: str  # a dotted permission, "repayments.add_repayment"
    # When the action applies to the object (e.g. a live loan); always, if not given.
    condition: Callable | None = None

    def applies(self, obj) -> bool:
        return self.condition is None or self.condition(obj)


class FormActionsMixin:
    form_actions: list[FormAction] = []
    form_action_template = "admin/form_action.html"

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = [
            path(
                "<path:object_id>/do/<str:name>/",
                self.admin_site.admin_view(self.form_action_view),
                name=f"{info[0]}_{info[1]}_action",
            )
        ]
        return extra + super().get_urls()

    def form_action_links(self, request, obj) -> list[dict]:
        if obj is None:
            return []
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            {"label": a.label, "url": reverse(f"admin:{info[0]}_{info[1]}_action", args=[obj.pk, a.name])}
            for a in self.form_actions
            if a.applies(obj) and request.user.has_perm(a.permission)
        ]

    def form_action_view(self, request, object_id, name):
        obj = self.get_object(request, object_id)
        action = next((a for a in self.form_actions if a.name == name), None)
        if obj is None or action is None:
            raise Http404("not found")
        if not request.user.has_perm(action.permission):
            raise PermissionDenied
        info = self.model._meta.app_label, self.model._meta.model_name
        change_url = reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])
        if not action.applies(obj):
            self.message_user(request, f"{action.label}: not possible on this {info[1]} now.", messages.WARNING)
            return HttpResponseRedirect(change_url)
        return form_action_page(
            request,
            action=action,
            obj=obj,
            change_url=change_url,
            each_context=self.admin_site.each_context(request),
            opts=self.model._meta,
            template=self.form_action_template,
        )


def form_action_page(request, *, action: FormAction, obj, change_url: str, each_context: dict, opts, template=None):
    """The page of one form action: GET shows the form; POST validates it and calls its `save`,
    then goes back to `change_url` with the message, or shows the form again with the service's
    error on its field. For a ModelAdmin's actions (FormActionsMixin) and for the console's pages
    that belong to no one model (the borrower 360's limit override)."""
    if request.method == "POST":
        form = action.form_class(request.POST, obj=obj)
        if form.is_valid():
            try:
                message = form.save(actor=request.user)
            except DomainError as exc:
                form.apply_error(exc)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(change_url)
    else:
        form = action.form_class(obj=obj)
    return TemplateResponse(
        request,
        template or FormActionsMixin.form_action_template,
        {
            **each_context,
            "title": f"{action.label}: {obj}",
            "action": action,
            "form": form,
            "object": obj,
            "opts": opts,
            "change_url": change_url,
            **form.context(),
        },
    )
