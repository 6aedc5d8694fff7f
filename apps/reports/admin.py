"""Console pages that belong to no one model: finding a borrower and the borrower 360. They live
here, above every app they read, and are registered on the site like ModelAdmins are."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from apps.core.admin_pages import FormAction, form_action_page
from apps.core.storage_urls import signed_url
from apps.kyc.models import Business
from apps.reports.admin_forms import LimitOverrideForm
from apps.reports.borrowers import borrower_360, borrower_search
from apps.reports.mis_page import mis_context, mis_csv


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def borrower_search_view(request):
    """The header's search box lands here. One borrower found by an exact key (phone, GSTIN,
    a reference) opens their 360 directly; a name lists whoever it starts."""
    _require(request, "kyc.view_business")
    term = request.GET.get("q", "").strip()[:100]
    result = borrower_search(term)
    if result["kind"] not in (None, "name") and len(result["businesses"]) == 1 and not result["loan"]:
        return HttpResponseRedirect(reverse("admin:borrower_360", args=[result["businesses"][0].pk]))
    context = {**admin.site.each_context(request), "title": "Find a borrower", "borrower_query": term, "result": result}
    return TemplateResponse(request, "admin/reports/borrower_search.html", context)


def borrower_360_view(request, business_id):
    _require(request, "kyc.view_business")
    business = get_object_or_404(Business.objects.select_related("owner"), pk=business_id)
    page = borrower_360(business)
    for document in page["documents"]:
        document.download_url = signed_url(document.object_key)[0]
    context = {**admin.site.each_context(request), "title": business.legal_name, **page}
    return TemplateResponse(request, "admin/reports/borrower_360.html", context)


LIMIT_OVERRIDE = FormAction("limit_override", "Ask for a limit override", LimitOverrideForm, "kyc.change_business")


def limit_override_view(request, business_id):
    """Ask for an override of the business's sanctioned limit, from its 360 (four eyes)."""
    _require(request, LIMIT_OVERRIDE.permission)
    business = get_object_or_404(Business, pk=business_id)
    return form_action_page(
        request,
        action=LIMIT_OVERRIDE,
        obj=business,
        change_url=reverse("admin:borrower_360", args=[business.pk]),
        each_context=admin.site.each_context(request),
        opts=Business._meta,
    )


admin.site.register_page("find/", borrower_search_view, "borrower_search")
admin.site.register_page("borrowers/<uuid:business_id>/", borrower_360_view, "borrower_360")
admin.site.register_page("borrowers/<uuid:business_id>/limit-override/", limit_override_view, "limit_override")


def mis_view(request):
    """The daily MIS: 30 days of the stored metrics as trends and a table, with a CSV export."""
    _require(request, "reports.view_dailymetrics")
    if request.GET.get("format") == "csv":
        return mis_csv()
    context = {**admin.site.each_context(request), "title": "Daily MIS", **mis_context()}
    return TemplateResponse(request, "admin/reports/mis.html", context)


admin.site.register_page("mis/", mis_view, "mis")
