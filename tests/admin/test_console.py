"""The ops console's rules over every registered admin: the sidebar by role, framework tables
for ADMIN only, money never a form field, no Save on pages with nothing to edit, references and
short ids instead of UUIDs."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from apps.accounts.admin_site import ADMIN_ONLY_MODELS
from apps.core.admin_base import is_money
from apps.core.business_date import business_date_set, get_business_date
from apps.core.inr import inr
from tests.support.factories import AdminFactory, OfficerFactory
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db


def _sidebar(client) -> str:
    page = client.get("/admin/").content.decode()
    return page


def test_the_sidebar_is_organised_by_the_work(officer_web):
    page = _sidebar(officer_web)
    for group in ("Borrowers", "Lending", "Collections", "Money", "Books", "Jobs", "Settings", "Staff"):
        assert f">{group}<" in page or f"> {group} <" in page or group in page, group
    assert "GST Credit" in page and "Django administration" not in page


def test_framework_tables_show_and_open_for_admin_only(client):
    officer, boss = OfficerFactory(), AdminFactory()
    urls = {
        "/admin/token_blacklist/outstandingtoken/",
        "/admin/core/idempotencyrecord/",
        "/admin/ledger/accountbalancestripe/",
        "/admin/django_celery_beat/crontabschedule/",
        "/admin/accounts/otpchallenge/",
    }
    client.force_login(officer)
    page = client.get("/admin/").content.decode()
    for url in urls:
        assert url not in page, url
        assert client.get(url).status_code == 403, url
    client.force_login(boss)
    page = client.get("/admin/").content.decode()
    for url in urls:
        assert url in page, url
        assert client.get(url).status_code == 200, url


def test_every_admin_only_table_is_wrapped():
    registered = {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}
    request = RequestFactory().get("/admin/")
    request.user = OfficerFactory()
    for label in ADMIN_ONLY_MODELS & set(registered):
        assert not registered[label].has_module_permission(request), label
        assert not registered[label].has_view_permission(request), label


def test_money_is_never_an_admin_form_field():
    request = RequestFactory().get("/admin/")
    request.user = AdminFactory()
    checked = 0
    for model, model_admin in admin.site._registry.items():
        money = [f.name for f in getattr(model._meta, "concrete_fields", ()) if is_money(f)]
        if not money:
            continue
        terms = set(getattr(model_admin, "editable_terms", ()))
        readonly = set(model_admin.get_readonly_fields(request, None))
        for name in money:
            assert name in readonly or name in terms, f"{model._meta.label}.{name} is editable"
            checked += 1
    assert checked > 20


def test_a_read_only_page_has_no_save_buttons_and_shows_rupees(officer_web):
    loan = make_loan(amount="452771.75")
    page = officer_web.get(f"/admin/loans/loan/{loan.pk}/change/").content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert inr(loan.principal) == "₹3,39,578.81" and "₹3,39,578.81" in page


def test_an_editable_page_keeps_its_save_button(admin_web):
    business_date_set(date=get_business_date(), actor=None, reason="test")  # the single row
    page = admin_web.get("/admin/core/businessdate/1/change/").content.decode()
    assert 'name="_save"' in page


def test_lists_show_references_and_short_ids_not_uuids(officer_web):
    loan = make_loan()
    loans = officer_web.get("/admin/loans/loan/").content.decode()
    assert f'<span class="ref">{loan.reference}</span>' in loans
    assert str(loan.pk) not in loans.split("<tbody")[1].split("</tbody>")[0].replace(f"/{loan.pk}/", "")
    offers = officer_web.get("/admin/loans/offer/").content.decode()
    assert f'title="{loan.offer_id}">{str(loan.offer_id)[:8]}…</span>' in offers
    found = officer_web.get("/admin/loans/loan/", {"q": loan.reference})
    assert [row.pk for row in found.context["cl"].result_list] == [loan.pk]
