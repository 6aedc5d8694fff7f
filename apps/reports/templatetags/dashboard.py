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
