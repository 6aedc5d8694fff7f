"""Bases for the admin: read-only for financial and audit data, fast on big tables, lists read
from the replica."""

from django.contrib import admin

from apps.core.admin_paginator import EstimatingPaginator
from apps.core.admin_search import IndexedSearchMixin
from apps.core.replica import use_replica


class ReplicaListMixin:
    """The list reads the replica when there is one: a list can afford to lag a moment. Only a
    GET: a POST to the list runs an action or saves editable rows, which read the primary. The
    page is rendered inside, because a TemplateResponse reads its rows only when rendered."""

    def changelist_view(self, request, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return super().changelist_view(request, extra_context)
        # Who may see the list is decided on the primary (the user caches the permissions it
        # reads here): a permission just revoked must not live on in a lagging replica.
        self.has_view_or_change_permission(request)
        with use_replica():
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
        return response


class FastListMixin(ReplicaListMixin, IndexedSearchMixin):
    paginator = EstimatingPaginator
    show_full_result_count = False
    list_per_page = 50


class ReadOnlyAdmin(FastListMixin, admin.ModelAdmin):
    """Visible, never editable here: changes go through services (or not at all)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
