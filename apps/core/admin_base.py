"""Bases for the admin: the console's look (django-unfold), read-only for financial and audit
data, fast on big tables, lists read from the replica. Every ModelAdmin in apps/ derives from
ModelAdmin or ReadOnlyAdmin here, every inline from TabularInline or ReadOnlyInline."""

from decimal import Decimal, InvalidOperation

from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from unfold import admin as unfold

from apps.core.admin_csv import CsvExportMixin
from apps.core.admin_paginator import EstimatingPaginator
from apps.core.admin_search import IndexedSearchMixin
from apps.core.inr import inr
from apps.core.money import LedgerAmountField, MoneyField
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


def is_money(field) -> bool:
    return isinstance(field, (MoneyField, LedgerAmountField))


def money_text(value) -> str:
    """A rendered amount ("405000.00") as ops read it (₹4,05,000.00); anything else unchanged."""
    try:
        return inr(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return value


def money_column(name: str, label: str):
    """A list column showing the money field `name` in Indian format, right-aligned, sortable."""

    @admin.display(description=label, ordering=name)
    def column(obj):
        return format_html('<span class="money">{}</span>', inr(getattr(obj, name)))

    column.__name__ = name
    return column


def uuid_column(name: str, label: str):
    """A list column for a UUID: its first eight characters on one line, the whole on hover (a
    full UUID wrapped over four lines and pushed the list off the screen)."""

    @admin.display(description=label, ordering=name)
    def column(obj):
        return short_id(getattr(obj, name))

    column.__name__ = name
    return column


@admin.display(description="reference", ordering="reference")
def reference_column(obj):
    return format_html('<span class="ref">{}</span>', obj.reference)


def short_id(value) -> str:
    """An identifier on one line: up to twelve characters shown, the whole on hover."""
    if value in (None, ""):
        return "—"
    text = str(value)
    if len(text) <= 12:
        return format_html('<span class="ref">{}</span>', text)
    return format_html('<span class="ref" title="{}">{}…</span>', text, text[:8])


class ModelAdmin(unfold.ModelAdmin):
    """The console's ModelAdmin.

    - Lists at full width with the filters in a side sheet, so a dozen columns fit the screen.
    - Money reads as ₹3,39,578.81 in lists and on pages, and is never a form field: amounts
      change only through services (and the ledger).
    - A page with nothing to edit has no Save buttons.
    """

    list_fullwidth = True
    list_filter_sheet = True
    list_filter_submit = True
    compressed_fields = True
    warn_unsaved_form = True
    # Amounts that are terms set by ADMIN (a product's limits and charges), not money owed or
    # moved: the only money an admin form may edit.
    editable_terms: tuple[str, ...] = ()

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self._money = {f.name: f for f in model._meta.concrete_fields if is_money(f)}
        self._uuids = {f.attname: f for f in model._meta.concrete_fields if isinstance(f, models.UUIDField)}
        self.readonly_preprocess_fields = {
            **{name: money_text for name in self._money},
            **self.readonly_preprocess_fields,
        }

    def get_list_display(self, request):
        return [self._column(column) for column in super().get_list_display(request)]

    def _column(self, column):
        """Money in Indian form, UUIDs short, references on one line; other columns as given."""
        if not isinstance(column, str):
            return column
        if column in self._money:
            return money_column(column, self._money[column].verbose_name)
        if column in self._uuids:
            return uuid_column(column, self._uuids[column].verbose_name)
        if column == "reference":
            return reference_column
        return column

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        locked = [name for name in self._money if name not in readonly and name not in self.editable_terms]
        return readonly + locked

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if change and not add and not self._has_editable_fields(context):
            context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @staticmethod
    def _has_editable_fields(context) -> bool:
        form = context.get("adminform")
        if form is None:
            return True
        return bool(form.form.fields) or any(
            inline.formset.forms or getattr(inline.formset, "can_add", False)
            for inline in context.get("inline_admin_formsets", [])
            if inline.has_add_permission or inline.has_change_permission
        )


class TabularInline(unfold.TabularInline):
    """Money in an inline reads as it does on the page around it (₹3,39,578.81)."""

    def __init__(self, parent_model, admin_site):
        super().__init__(parent_model, admin_site)
        money = {f.name: money_text for f in self.model._meta.concrete_fields if is_money(f)}
        self.readonly_preprocess_fields = {**money, **self.readonly_preprocess_fields}


class ReadOnlyAdmin(FastListMixin, ModelAdmin):
    """Visible, never editable here: changes go through services (or not at all)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WorklistAdmin(CsvExportMixin, FastListMixin, ModelAdmin):
    """One piece of ops work as a list (on a proxy model of the rows it is about): filtered to
    the rows that need someone, sortable, exportable as CSV, with bulk actions only where the
    same service can act on many rows at once. Each row links to its real page, where the
    buttons are; the worklist itself edits nothing. `worklist = True` is what the sidebar
    groups them by (`worklist_admins`)."""

    worklist = True
    list_display_links = None
    # "Show counts" would COUNT every filter option over the table.
    show_facets = admin.ShowFacets.NEVER
    actions = None

    def worklist_queryset(self, queryset):
        """The rows that need work: the subclass' predicate (served by a partial index)."""
        return queryset

    def get_queryset(self, request):
        return self.worklist_queryset(super().get_queryset(request))

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Bulk actions ask for "change" on the list; a row's own page is the real model's.
        return obj is None and super().has_change_permission(request)


def worklist_admins(site=None) -> list:
    """The registered worklists, by their title: the sidebar's "Worklists" group."""
    site = site or admin.site
    found = [model_admin for model_admin in site._registry.values() if getattr(model_admin, "worklist", False)]
    return sorted(found, key=lambda model_admin: str(model_admin.model._meta.verbose_name_plural))
