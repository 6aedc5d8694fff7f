"""The collections desk in the console: a collector's worklist and case page (only their own
cases), logging a call with a promise through the form, the officer's bulk reassignment and the
supervisor's view of kept promises."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditLog
from apps.collections.models import CollectionCase, PromiseToPay
from apps.core.outbox import events_dispatch
from apps.core.roles import Role
from tests.support.days import close_day, days_after
from tests.support.factories import StaffFactory
from tests.support.lending import make_loan

pytestmark = pytest.mark.django_db

CASES = "/admin/collections/collectioncase/"
DESK = "/admin/collections/desk/"


@pytest.fixture
def desk(borrower):
    """Two collectors and three overdue loans, cases opened and assigned by the night."""
    first, second = StaffFactory(role=Role.COLLECTOR), StaffFactory(role=Role.COLLECTOR)
    loans = [make_loan(borrower) for _ in range(3)]
    day = max(days_after(loan, 1, 2) for loan in loans)
    close_day(day)
    events_dispatch()
    return {"first": first, "second": second, "day": day, "loans": loans}


def test_a_collector_sees_only_their_cases_and_nothing_else_of_the_book(client, desk):
    client.force_login(desk["first"])
    mine = CollectionCase.objects.filter(assigned_to=desk["first"])
    theirs = CollectionCase.objects.filter(assigned_to=desk["second"]).first()
    page = client.get(CASES)
    assert page.status_code == 200
    html = page.content.decode()
    for case in mine:
        assert case.loan.reference in html
    assert theirs.loan.reference not in html
    assert client.get(f"{CASES}{theirs.pk}/change/").status_code == 302  # "does not exist" and away
    assert client.get(f"{CASES}{theirs.pk}/do/log_action/").status_code == 404
    assert client.get("/admin/loans/loan/").status_code == 403
    assert client.get(DESK).status_code == 403
    start = client.get("/admin/").content.decode()
    assert "Your cases today" in start and "Open my worklist" in start


def test_logging_a_call_with_a_promise_through_the_case_page(client, desk):
    client.force_login(desk["first"])
    case = CollectionCase.objects.filter(assigned_to=desk["first"]).first()
    page = client.get(f"{CASES}{case.pk}/change/").content.decode()
    assert "Log a call, visit or promise" in page and case.loan.reference in page
    assert "/admin/loans/loan/" not in page and "/admin/kyc/business/" not in page  # pages they cannot open
    form_url = f"{CASES}{case.pk}/do/log_action/"
    form = client.get(form_url)
    token = form.context["form"]["token"].value()
    due = desk["day"] + datetime.timedelta(days=2)

    too_much = str(case.amount_overdue + 1)
    refused = client.post(
        form_url,
        {"token": token, "type": "CALL", "outcome": "PROMISED", "ptp_amount": too_much, "ptp_due_on": due},
    )
    assert refused.status_code == 200 and "At most the amount overdue" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == "OPEN" and not PromiseToPay.objects.exists()

    done = client.post(
        form_url,
        {
            "token": token,
            "type": "CALL",
            "outcome": "PROMISED",
            "notes": "will pay Friday",
            "ptp_amount": "500.00",
            "ptp_due_on": due,
        },
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, str(case.ptp_amount), case.ptp_due_on) == ("PTP", "500.00", due)
    page = client.get(f"{CASES}{case.pk}/change/").content.decode()
    assert "will pay Friday" in page and "Promise to pay" in page


def test_an_officer_reassigns_cases_in_bulk_and_reads_the_desk(officer_web, desk):
    cases = list(CollectionCase.objects.filter(assigned_to=desk["first"]))
    listing = officer_web.get(CASES)
    assert listing.status_code == 200 and listing.content.decode().count('name="_selected_action"') == 3
    ask = officer_web.post(CASES, {"action": "reassign", "_selected_action": [str(c.pk) for c in cases]})
    assert ask.status_code == 200 and "Give" in ask.content.decode()
    done = officer_web.post(
        CASES,
        {
            "action": "reassign",
            "apply": "1",
            "collector": str(desk["second"].pk),
            "_selected_action": [str(c.pk) for c in cases],
        },
    )
    assert done.status_code == 302
    assert not CollectionCase.objects.filter(assigned_to=desk["first"]).exists()
    assert AuditLog.objects.filter(action="collection_case.assigned", actor__isnull=False).count() == len(cases)

    # One kept promise and one broken for the second collector: a 50% kept rate on the desk.
    kept, broken = CollectionCase.objects.filter(assigned_to=desk["second"])[:2]
    for case, status in ((kept, "KEPT"), (broken, "BROKEN")):
        PromiseToPay.objects.create(
            case=case, amount=100, due_on=desk["day"], promised_on=desk["day"], status=status, settled_on=desk["day"]
        )
    with CaptureQueriesContext(connection) as captured:
        page = officer_web.get(DESK)
    assert page.status_code == 200
    row = next(r for r in page.context["rows"] if r["user"] == desk["second"])
    assert (row["open_cases"], row["kept"], row["broken"], row["kept_rate"]) == (3, 1, 1, "50%")
    assert len(captured) < 25
