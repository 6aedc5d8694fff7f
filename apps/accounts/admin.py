from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from apps.accounts.models import Device, OtpChallenge, User
from apps.accounts.phone import mask_phone
from apps.accounts.services import device_trust, user_freeze, user_unfreeze
from apps.core.admin_actions import reason_action
from apps.core.admin_base import FastListMixin, ReadOnlyAdmin


@admin.register(User)
class UserAdmin(FastListMixin, DjangoUserAdmin):
    list_display = ["username", "masked_phone", "role", "is_frozen", "is_staff", "date_joined"]
    list_filter = ["role", "is_frozen", "is_staff"]
    search_fields = ["=username", "=phone", "=id"]
    ordering = ["-date_joined"]
    readonly_fields = ["role", "is_frozen", "frozen_reason", "token_version", "phone", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password", "role", "phone"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_frozen", "frozen_reason", "token_version", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    actions = [
        reason_action(user_freeze, description="Freeze (every token stops working at once)", name="freeze"),
        reason_action(user_unfreeze, description="Unfreeze", name="unfreeze"),
    ]

    @admin.display(description="phone")
    def masked_phone(self, user):
        return mask_phone(user.phone) if user.phone else "—"

    def has_delete_permission(self, request, obj=None):
        return False  # users are frozen, never deleted: the audit trail points at them


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
