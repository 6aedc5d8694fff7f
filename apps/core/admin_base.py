"""Bases for the admin: read-only for financial and audit data, fast on big tables."""

from django.contrib import admin

from apps.core.admin_paginator import EstimatingPaginator
from apps.core.admin_search import IndexedSearchMixin


class FastListMixin(IndexedSearchMixin):
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
