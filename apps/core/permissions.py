from rest_framework.permissions import BasePermission

from apps.core.roles import Role


def _role(request):
    user = request.user
    return getattr(user, "role", None) if user and user.is_authenticated else None


class IsBorrower(BasePermission):
    def has_permission(self, request, view):
        return _role(request) == Role.BORROWER


class IsOfficerOrAdmin(BasePermission):
    def has_permission(self, request, view):
        return _role(request) in (Role.OFFICER, Role.ADMIN)


class IsAdmin(BasePermission):
    def has_permission(self, request, view):
        return _role(request) == Role.ADMIN


def is_staff_role(user) -> bool:
    return getattr(user, "role", None) in (Role.OFFICER, Role.ADMIN)
