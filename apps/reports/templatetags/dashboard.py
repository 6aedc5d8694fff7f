from django import template

from apps.reports.dashboard import dashboard_context

register = template.Library()


@register.simple_tag(takes_context=True)
def book_dashboard(context):
    """Only staff with a view permission on loans see the figures."""
    user = context["request"].user
    if not user.has_perm("loans.view_loan"):
        return None
    return dashboard_context()


@register.simple_tag(takes_context=True)
def collector_day(context):
    """A COLLECTOR's start page: their open cases, the promises falling due today, and the way
    to their worklist."""
    from django.urls import reverse

    from apps.collections.selectors import collector_day_summary

    user = context["request"].user
    if getattr(user, "role", None) != "COLLECTOR":
        return None
    return {**collector_day_summary(user), "url": reverse("admin:collections_collectioncase_changelist")}
