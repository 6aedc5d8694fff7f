"""The loan changelist of the admin on a big book: median response time of the real admin view
(unfiltered, filtered by classification, searched by loan id) next to the time of the SQL the
page needs, in the same run. Called by close_of_business.py on its seeded book (one seeding
for both benches); `measure()` is the entry point.
"""

import statistics
import time

RUNS = 7


def _median_ms(fn) -> float:
    fn()  # warm the caches once
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def measure() -> list[tuple[str, float, float]]:
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from apps.accounts.services import user_create_staff
    from apps.loans.models import Loan

    officer = user_create_staff(username="bench-admin-officer", password="Bench-officer-pass-1", role="OFFICER")
    officer.groups.add(Group.objects.get(name="OFFICER"))
    client = Client()
    client.force_login(officer)
    some_id = Loan.objects.order_by("created_at").values_list("id", flat=True).first()
    cases = [
        ("unfiltered", "/admin/loans/loan/", Loan.objects.select_related("business").order_by("-created_at", "-pk")),
        (
            "classification=NPA",
            "/admin/loans/loan/?asset_classification__exact=NPA",
            Loan.objects.filter(asset_classification="NPA").select_related("business").order_by("-created_at", "-pk"),
        ),
        (
            "search by loan id",
            f"/admin/loans/loan/?q={some_id}",
            Loan.objects.filter(pk=some_id).select_related("business").order_by("-created_at", "-pk"),
        ),
    ]
    results = []
    for name, url, queryset in cases:

        def page(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        def sql(queryset=queryset):
            with connection.cursor():
                list(queryset[:50])

        results.append((name, _median_ms(page), _median_ms(sql)))
    return results
