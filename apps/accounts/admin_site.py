"""The admin site (admin.site, see admin_apps.py): password and, for whoever has one, a
second-factor code at login; staff without one are sent to set it up first when
STAFF_OTP_REQUIRED is on; a page to set it up.

django-otp's own OTPAdminSite refuses every unverified user and its login form asks to pick a
device from a list; ours asks for one code, which the code's shape routes to the authenticator
app or to the recovery codes, and lets staff without a second factor in where that is allowed.
"""

from functools import update_wrapper

import segno
from django import forms
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.admin import ModelAdmin as UnfoldModelAdmin
from unfold.forms import AuthenticationForm as UnfoldAuthenticationForm
from unfold.sites import UnfoldAdminSite
from unfold.widgets import BASE_INPUT_CLASSES

from apps.accounts import otp as second_factor
from apps.accounts.services import (
    second_factor_enrolment_confirm,
    second_factor_enrolment_start,
    second_factor_failed,
    second_factor_verify,
)
from apps.core.errors import DomainError
from apps.core.roles import Role


class StaffAuthenticationForm(UnfoldAuthenticationForm):
    otp = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=32,
        strip=True,
        help_text="The six digits your authenticator app shows, or one of your recovery codes. "
        "Leave it empty if you have not set up a second factor.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "class": " ".join(BASE_INPUT_CLASSES),
            }
        ),
    )

    def clean(self):
        cleaned = super().clean()  # the password, through django-axes and our backend
        user = self.get_user()
        if user is not None and second_factor.needs_code(user):
            try:
                device, _kind = second_factor_verify(user=user, code=cleaned.get("otp"))
            except DomainError as exc:
                error = second_factor_failed(request=self.request, username=user.get_username(), error=exc)
                raise forms.ValidationError(error.message, code=error.code) from None
            # django-otp's user_logged_in receiver keeps this device in the session: verified.
            user.otp_device = device
        return cleaned


def before_enrolment(view):
    """Marks an admin view that a user who must set up a second factor may still reach."""
    view.before_enrolment = True
    return view


class EnrolmentForm(forms.Form):
    code = forms.CharField(label="Code from the app", max_length=16, strip=True)


# The framework's own tables: how tokens, OTPs, retries, lockouts, balance stripes and beat
# schedules are kept. An ADMIN may need to look; nobody else has a reason to, and none may change
# them from here but through the services that own them.
ADMIN_ONLY_MODELS = {
    "token_blacklist.outstandingtoken",
    "token_blacklist.blacklistedtoken",
    "accounts.otpchallenge",
    "accounts.tokenfamily",
    "core.idempotencyrecord",
    "ledger.accountbalancestripe",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.solarschedule",
    "django_celery_beat.clockedschedule",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "auth.group",
}


class AdminRoleOnly:
    """Mixed into the ModelAdmin of an ADMIN_ONLY_MODELS table: the role, on top of the permission."""

    def _admin_role(self, request) -> bool:
        return getattr(request.user, "role", None) == Role.ADMIN

    def has_module_permission(self, request):
        return self._admin_role(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._admin_role(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self._admin_role(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._admin_role(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._admin_role(request) and super().has_delete_permission(request, obj)


class StaffAdminSite(UnfoldAdminSite):
    login_form = StaffAuthenticationForm
    login_template = "admin/staff_login.html"
    site_header = site_title = "GST Credit"
    index_title = "Today"

    def __init__(self, name="admin"):
        super().__init__(name)
        self._pages = []

    def register_page(self, route: str, view, name: str) -> None:
        """A page of the console that belongs to no one model (search, the borrower 360): the
        app that owns it registers it from its admin module, as ModelAdmins are registered, so
        this site never imports apps above it."""
        self._pages.append((route, view, name))

    def extra_urls(self):  # called by UnfoldAdminSite.get_urls
        return [path(route, self.admin_view(view), name=name) for route, view, name in self._pages]

    def finish_registry(self) -> None:
        """Once every app has registered its admins (StaffAdminConfig.ready): a third-party admin
        (beat schedules, groups, tokens, live settings) is drawn with the theme like ours, and
        every ADMIN_ONLY_MODELS table, whichever app registered it, is refused to other roles."""
        for model, model_admin in list(self._registry.items()):
            bases = [type(model_admin)]
            if not isinstance(model_admin, UnfoldModelAdmin):
                bases.append(UnfoldModelAdmin)
            if model._meta.label_lower in ADMIN_ONLY_MODELS and not isinstance(model_admin, AdminRoleOnly):
                bases.insert(0, AdminRoleOnly)
            if len(bases) > 1:
                self._registry[model] = type(type(model_admin).__name__, tuple(bases), {})(model, self)

    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request) or getattr(user, "is_frozen", False):
            return False
        # Whoever has a second factor is in only on a session that it verified (the password
        # alone, e.g. a session from before the enrolment, is not enough).
        return not second_factor.has_second_factor(user) or user.is_verified()

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)
        if getattr(view, "before_enrolment", False):
            return inner

        def enrol_first(request, *args, **kwargs):
            if second_factor.must_enrol(request.user):
                return HttpResponseRedirect(reverse("admin:second_factor", current_app=self.name))
            return inner(request, *args, **kwargs)

        return update_wrapper(enrol_first, inner)

    @before_enrolment
    def logout(self, request, extra_context=None):
        return super().logout(request, extra_context)

    def get_urls(self):
        enrol = path("second-factor/", self.admin_view(self.second_factor_view), name="second_factor")
        return [enrol, *super().get_urls()]

    @before_enrolment
    def second_factor_view(self, request):
        """Set up the authenticator app: its key as a QR code and an otpauth:// URI, confirmed by
        a first code; then the recovery codes, shown on this one response only."""
        user = request.user
        context = {**self.each_context(request), "title": "Second factor"}
        if second_factor.must_enrol(user):
            context["is_nav_sidebar_enabled"] = False  # every other page leads back here until it is done
        if second_factor.has_second_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            left = StaticToken.objects.filter(device__user=user).count()
            return TemplateResponse(
                request, "admin/second_factor.html", {**context, "enrolled": device, "recovery_left": left}
            )
        form = EnrolmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                codes = second_factor_enrolment_confirm(user=user, code=form.cleaned_data["code"], actor=user)
            except DomainError as exc:
                form.add_error("code", exc.message)
            else:
                otp_login(request, TOTPDevice.objects.get(user=user, confirmed=True))  # this session is verified
                return TemplateResponse(request, "admin/second_factor.html", {**context, "recovery_codes": codes})
        device = second_factor_enrolment_start(user=user, actor=user)
        uri = device.config_url
        # segno: pure Python, writes SVG itself (no Pillow), so the QR code is inline markup.
        qr = segno.make(uri, error="m").svg_inline(scale=5, title="Scan with your authenticator app")
        return TemplateResponse(
            request,
            "admin/second_factor.html",
            {**context, "form": form, "otpauth_uri": uri, "qr_svg": qr, "required": second_factor.must_enrol(user)},
        )
