from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts import otp as second_factor
from apps.accounts.lockout import username_lock
from apps.accounts.models import Device, OtpChallenge, User
from apps.accounts.phone import mask_phone
from apps.accounts.services import (
    device_trust,
    second_factor_reset,
    user_create_staff,
    user_freeze,
    user_unfreeze,
    user_unlock,
)
from apps.audit.services import record
from apps.core.admin_actions import reason_action
from apps.core.admin_base import FastListMixin, ReadOnlyAdmin
from apps.core.admin_transitions import Button, TransitionButtonsMixin
from apps.core.errors import DomainError
from apps.core.roles import Role


class StaffCreationForm(UserCreationForm):
    """Staff only: borrowers sign up with OTP through the API, never here."""

    role = forms.ChoiceField(choices=[(Role.OFFICER, "Officer"), (Role.COLLECTOR, "Collector"), (Role.ADMIN, "Admin")])

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username"]


def _unlock(user_id, *, actor):
    return user_unlock(user=User.objects.get(pk=user_id), actor=actor)


def _has_failures(user) -> bool:
    return username_lock(user.get_username()) is not None


def _reset_second_factor(user_id, *, actor, reason):
    return second_factor_reset(user=User.objects.get(pk=user_id), actor=actor, reason=reason)


# django-otp's own device admins would show an ADMIN every user's TOTP key and recovery codes,
# and let them add devices to others; the user page shows the state and resets it, audited.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(TransitionButtonsMixin, FastListMixin, DjangoUserAdmin):
    add_form = StaffCreationForm
    add_fieldsets = [(None, {"fields": ["username", "role", "password1", "password2"]})]
    list_display = ["username", "masked_phone", "role", "is_frozen", "is_staff", "date_joined"]
    list_filter = ["role", "is_frozen", "is_staff"]
    search_fields = ["=username", "=phone", "=id"]
    ordering = ["-date_joined"]
    # Access follows the role (groups, staff flag) and is taken away by freezing, both through
    # services that audit; what is left to edit here is the username, and that is audited too.
    readonly_fields = [
        "role",
        "is_active",
        "is_staff",
        "groups",
        "is_frozen",
        "frozen_reason",
        "token_version",
        "login_lock",
        "second_factor",
        "phone",
        "last_login",
        "date_joined",
    ]
    fieldsets = [
        (None, {"fields": ["username", "password", "role", "phone"]}),
        (
            "Access",
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_frozen",
                    "frozen_reason",
                    "token_version",
                    "login_lock",
                    "second_factor",
                    "groups",
                ]
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    actions = [
        reason_action(user_freeze, description="Freeze (every token stops working at once)", name="freeze"),
        reason_action(user_unfreeze, description="Unfreeze", name="unfreeze"),
        "unlock",
    ]
    # "change" is accounts.change_user, which only the ADMIN group has; the service checks the role too.
    transition_buttons = [
        Button("unlock", "Unlock login", _unlock, condition=_has_failures),
        Button(
            "reset_second_factor",
            "Reset second factor",
            _reset_second_factor,
            needs_reason=True,
            condition=second_factor.has_second_factor,
        ),
    ]

    @admin.display(description="second factor")
    def second_factor(self, user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return "none"
        left = StaticToken.objects.filter(device__user=user).count()
        return f"authenticator app since {device.created_at:%d %b %Y}, {left} recovery codes left"

    @admin.display(description="login lock")
    def login_lock(self, user):
        lock = username_lock(user.get_username())
        if lock is None:
            return "—"
        state = "locked" if lock["locked"] else "not locked"
        return f"{state}: {lock['failures']} failed logins, counted until {lock['until']:%d %b %Y %H:%M}"

    @admin.action(description="Unlock login (clear failed logins)", permissions=["change"])
    def unlock(self, request, queryset):
        for user in queryset:
            try:
                cleared = user_unlock(user=user, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{user}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{user}: unlocked ({cleared} failed logins cleared)", messages.SUCCESS)

    @admin.display(description="phone")
    def masked_phone(self, user):
        return mask_phone(user.phone) if user.phone else "—"

    def has_delete_permission(self, request, obj=None):
        return False  # users are frozen, never deleted: the audit trail points at them

    def save_model(self, request, obj, form, change):
        if not change:
            created = user_create_staff(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                role=form.cleaned_data["role"],
                actor=request.user,
            )
            obj.pk, obj._state.adding = created.pk, False  # the admin redirects to the new user
            return
        super().save_model(request, obj, form, change)
        if form.changed_data:
            after = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
            record("user.changed", obj=obj, after=after, actor=request.user, reason="changed in the admin")

    def save_related(self, request, form, formsets, change):
        if change:  # a new staff user's group was set by the service
            super().save_related(request, form, formsets, change)


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ["user", "platform", "app_version", "is_trusted", "first_seen_at", "last_active_at"]
    # Not platform: free text from the app, which only a DISTINCT over every device could list.
    list_filter = ["is_trusted"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    actions = [reason_action(device_trust, description="Mark trusted", name="mark_trusted", permission="trust")]

    def has_trust_permission(self, request):
        # The admin is read-only here; trusting a device is ADMIN's call (OFFICERs lack this permission).
        return request.user.has_perm("accounts.change_device")


@admin.register(OtpChallenge)
class OtpChallengeAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "attempts", "locked", "consumed_at", "ip"]
    list_filter = ["locked"]
    exclude = ["code_hash", "phone"]


@admin.register(AccessAttempt)
class AccessAttemptAdmin(ReadOnlyAdmin):
    """Failed staff logins as django-axes counts them (ADMIN only: the OFFICER group has no axes
    permission). Read-only: a lock is lifted by "Unlock login" on the user, which is audited."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "path_info", "user_agent"]
    list_filter = ["attempt_time"]
    search_fields = ["=username", "=ip_address"]
    fields = ["username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time"]
