from rest_framework.permissions import BasePermission

from apps.core.roles import OPS_ROLES, STAFF_ROLES, Role


def _role(request):
    user = request.user
    return getattr(user, "role", None) if user and user.is_authenticated else None


class IsBorrower(BasePermission):
    def has_permission(self, request, view):
        return _role(request) == Role.BORROWER


class IsOfficerOrAdmin(BasePermission):
    def has_permission(self, request, view):
        return _role(request) in OPS_ROLES


class IsStaff(BasePermission):
    """OFFICER, ADMIN or COLLECTOR: the view narrows what a COLLECTOR sees to their own work."""

    def has_permission(self, request, view):
        return _role(request) in STAFF_ROLES


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return _role(request) == Role.ADMIN


def is_staff_role(user) -> bool:
    return getattr(user, "role", None) in STAFF_ROLES
