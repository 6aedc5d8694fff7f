"""Collection cases, walked as the desk works them: opened by the close of business, worked by a
collector over the API, fed by payments and recovery through the outbox. Each step checks the
state, the case's events and the audit trail."""

import datetime
from decimal import Decimal

import pytest
from constance.test import override_config

from apps.audit.models import AuditLog
from apps.collections.models import CaseEvent, CollectionCase, PromiseToPay
from apps.core.models import Event
from apps.core.outbox import events_dispatch
from apps.core.roles import Role
from apps.loans.models import Loan
from tests.support.days import close_day, days_after, set_day
from tests.support.lending import make_loan
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db


def cases_url(suffix=""):
    return f"/api/v1/collections/cases{suffix}"


def night(day):
    """The close of business for `day`, then the worker's dispatch of what it emitted."""
    counts = close_day(day)
    events_dispatch()
    return counts


def event_types(case) -> list[str]:
    return list(case.events.order_by("id").values_list("type", flat=True))


def audit_actions(case) -> list[str]:
    return list(AuditLog.objects.filter(object_id=str(case.pk)).order_by("at", "id").values_list("action", flat=True))


def pay(client, installment, amount):
    response = client.post(f"/api/v1/repayments/emi/{installment.pk}/pay", {"amount": str(amount)}, format="json")
    assert response.status_code == 201, response.content
    events_dispatch()


def act(client, case, **body):
    body = {"type": "CALL", "outcome": "CONTACTED", **body}
    return client.post(cases_url(f"/{case.pk}/actions"), body, format="json")


@pytest.fixture
def collector(db):
    return make_user(Role.COLLECTOR)


def test_a_case_from_sma0_through_a_kept_promise_a_broken_one_to_paid(borrower, borrower_client, officer, collector):
    loan = make_loan(borrower)
    first = loan.installments.get(number=1)
    day1 = days_after(loan, 1, 1)
    night(day1)
    # The EMI and a day of penal charges on it (13,089.77 at 24% / 365 = 8.61).
    first.refresh_from_db()
    owed = first.principal_due + first.interest_due + Decimal("8.61")
    assert first.owed == owed

    # SMA-0: the close of business opened the case and gave it to the only collector.
    case = CollectionCase.objects.get(loan=loan)
    assert (case.status, case.bucket, case.dpd, case.amount_overdue) == ("OPEN", "SMA_0", 1, owed)
    assert case.assigned_to == collector and case.opened_on == day1
    assert event_types(case) == ["CASE_CREATED", "CASE_ASSIGNED"]
    assert audit_actions(case) == ["collection_case.opened", "collection_case.assigned"]

    mine = client_for(collector)
    listed = mine.get(cases_url()).json()["results"]
    assert [c["id"] for c in listed] == [str(case.pk)]
    assert listed[0]["amount_overdue"] == f"{owed:.2f}" and listed[0]["ptp"] is None

    # A first call: IN_PROGRESS.
    assert act(mine, case, outcome="NO_ANSWER").status_code == 201
    case.refresh_from_db()
    assert case.status == "IN_PROGRESS" and case.next_action_on == day1 + datetime.timedelta(days=1)

    # A promise of half, in three days: PTP.
    half = (owed / 2).quantize(Decimal("0.01"))
    due = day1 + datetime.timedelta(days=3)
    response = act(mine, case, outcome="PROMISED", ptp_amount=str(half), ptp_due_on=due.isoformat())
    assert response.status_code == 201, response.content
    assert response.json()["ptp_amount"] == f"{half:.2f}"
    case.refresh_from_db()
    assert (case.status, case.ptp_amount, case.ptp_due_on) == ("PTP", half, due)
    detail = mine.get(cases_url(f"/{case.pk}")).json()
    assert detail["ptp"] == {"amount": f"{half:.2f}", "due_on": due.isoformat(), "status": "PENDING"}
    assert [e["type"] for e in detail["events"]][:2] == ["PTP_PROMISE_SET", "CASE_ACTION_LOGGED"]

    # The borrower pays what was promised: the promise is kept, the case back IN_PROGRESS.
    pay(borrower_client, first, half)
    case.refresh_from_db()
    assert case.status == "IN_PROGRESS" and case.ptp_amount is None
    assert case.amount_overdue == owed - half
    assert PromiseToPay.objects.get(case=case).status == "KEPT"
    assert event_types(case)[-2:] == ["CASE_PAYMENT_APPLIED", "PTP_KEPT"]

    # A second promise, for the rest in two days, not kept: the night after its date breaks it.
    rest = owed - half
    due2 = day1 + datetime.timedelta(days=2)
    assert act(mine, case, outcome="PROMISED", ptp_amount=str(rest), ptp_due_on=due2.isoformat()).status_code == 201
    night(due2)
    case.refresh_from_db()
    assert case.status == "PTP"  # its date is today: not yet broken
    night(due2 + datetime.timedelta(days=1))
    case.refresh_from_db()
    assert case.status == "BROKEN_PTP" and case.ptp_due_on is None
    assert PromiseToPay.objects.filter(case=case, status="BROKEN").count() == 1
    assert "PTP_BROKEN" in event_types(case)
    assert Event.objects.filter(topic="collection_case.ptp_broken", aggregate_id=str(loan.pk)).count() == 1

    # The rest is paid: no arrears, the case is PAID and leaves the worklist.
    first.refresh_from_db()
    pay(borrower_client, first, first.owed)
    case.refresh_from_db()
    assert case.status == "PAID" and case.closed_on == due2 + datetime.timedelta(days=1)
    assert event_types(case)[-2:] == ["CASE_PAYMENT_APPLIED", "CASE_PAID"]
    assert "collection_case.paid" in audit_actions(case)
    assert act(mine, case).status_code == 409
    assert mine.get(cases_url("?status=PAID")).json()["results"][0]["closed_on"] is not None


def test_a_defaulted_case_is_escalated_by_recovery_and_closed_by_the_write_off(borrower, officer, collector):
    loan = make_loan(borrower, secured=True)
    night(days_after(loan, 1, 1))
    night(days_after(loan, 1, 91))
    loan.refresh_from_db()
    case = CollectionCase.objects.get(loan=loan)
    assert (loan.status, case.bucket, case.dpd) == (Loan.Status.DEFAULTED, "NPA", 91)
    assert "CASE_BUCKET_SYNCED" in event_types(case)

    staff = client_for(officer)
    action = staff.post(
        "/api/v1/recovery/initiate", {"loan_id": str(loan.pk), "action_type": "SETTLEMENT"}, format="json"
    ).json()
    case.refresh_from_db()
    assert case.status == "ESCALATED"
    assert event_types(case)[-1] == "CASE_ESCALATED"
    assert "collection_case.escalated" in audit_actions(case)

    response = staff.post(
        f"/api/v1/recovery/{action['id']}/complete",
        {"recovered_amount": "1000.00", "write_off_remaining": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    events_dispatch()
    case.refresh_from_db()
    assert case.status == "CLOSED" and case.closed_on is not None
    assert event_types(case)[-2:] == ["CASE_PAYMENT_APPLIED", "CASE_CLOSED"]
    assert audit_actions(case)[-1] == "collection_case.closed"
    # A second night changes nothing and opens no new case for the written-off loan.
    night(days_after(loan, 1, 92))
    assert CollectionCase.objects.filter(loan=loan).count() == 1


def test_promises_are_validated_and_change_nothing_when_refused(borrower, collector):
    loan = make_loan(borrower)
    day = days_after(loan, 1, 3)
    night(day)
    case = CollectionCase.objects.get(loan=loan)
    mine = client_for(collector)
    tomorrow = (day + datetime.timedelta(days=1)).isoformat()
    too_late = (day + datetime.timedelta(days=16)).isoformat()
    for body, field in [
        ({"ptp_amount": "0.00", "ptp_due_on": tomorrow}, "ptp_amount"),
        ({"ptp_amount": "-5", "ptp_due_on": tomorrow}, "ptp_amount"),
        ({"ptp_amount": str(case.amount_overdue + Decimal("0.01")), "ptp_due_on": tomorrow}, "ptp_amount"),
        ({"ptp_amount": "100.00", "ptp_due_on": too_late}, "ptp_due_on"),
        ({"ptp_amount": "100.00", "ptp_due_on": (day - datetime.timedelta(days=1)).isoformat()}, "ptp_due_on"),
        ({"ptp_amount": "100.00"}, "ptp_due_on"),
        ({"ptp_due_on": tomorrow}, "ptp_amount"),
        ({"type": "FAX"}, "type"),
    ]:
        response = act(mine, case, **body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.content.decode(), (body, response.content)
    with override_config(PTP_MAX_DAYS=20):
        assert act(mine, case, ptp_amount="100.00", ptp_due_on=too_late).status_code == 201
    case.refresh_from_db()
    assert case.status == "PTP" and case.actions.count() == 1
    # One promise at a time.
    assert act(mine, case, ptp_amount="50.00", ptp_due_on=tomorrow).status_code == 409


def test_a_collector_sees_and_works_only_their_own_cases(borrower, officer):
    first_collector, second_collector = make_user(Role.COLLECTOR), make_user(Role.COLLECTOR)
    loans = [make_loan(borrower), make_loan(borrower)]
    night(max(days_after(loan, 1, 1) for loan in loans))
    cases = list(CollectionCase.objects.order_by("assigned_to__username"))
    assert {c.assigned_to for c in cases} == {first_collector, second_collector}
    theirs = next(c for c in cases if c.assigned_to == second_collector)
    mine = client_for(first_collector)
    assert [c["id"] for c in mine.get(cases_url()).json()["results"]] != [str(theirs.pk)]
    assert len(mine.get(cases_url()).json()["results"]) == 1
    assert mine.get(cases_url(f"/{theirs.pk}")).status_code == 404
    assert act(mine, theirs).status_code == 404
    assert mine.post(cases_url(f"/{theirs.pk}/assign"), {"collector_id": str(first_collector.pk)}).status_code == 403
    assert mine.post(cases_url(), {"loan_id": str(theirs.loan_id)}).status_code == 403
    assert client_for(borrower).get(cases_url()).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "OPEN" and not theirs.actions.exists()

    # An officer sees both and reassigns; the case's history and the audit say so.
    staff = client_for(officer)
    assert len(staff.get(cases_url()).json()["results"]) == 2
    assert len(staff.get(cases_url(f"?assigned_to={second_collector.pk}")).json()["results"]) == 1
    response = staff.post(cases_url(f"/{theirs.pk}/assign"), {"collector_id": str(first_collector.pk)}, format="json")
    assert response.status_code == 200 and response.json()["assigned_to"] == str(first_collector.pk)
    assert len(mine.get(cases_url()).json()["results"]) == 2
    assert event_types(theirs)[-1] == "CASE_ASSIGNED"
    not_a_collector = {"collector_id": str(officer.pk)}
    assert staff.post(cases_url(f"/{theirs.pk}/assign"), not_a_collector, format="json").status_code == 400


def test_opening_a_case_by_hand(borrower, officer, collector):
    loan = make_loan(borrower)
    staff = client_for(officer)
    assert staff.post(cases_url(), {"loan_id": str(loan.pk)}, format="json").status_code == 409  # nothing overdue
    set_day(days_after(loan, 1, 2))
    created = staff.post(cases_url(), {"loan_id": str(loan.pk)}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["dpd"] == 2 and created.json()["assigned_to"] == str(collector.pk)
    again = staff.post(cases_url(), {"loan_id": str(loan.pk)}, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert staff.post(cases_url(), {"loan_id": "not-a-uuid"}, format="json").status_code == 400
    missing = staff.post(cases_url(), {"loan_id": "00000000-0000-0000-0000-000000000000"}, format="json")
    assert missing.status_code == 404


def test_reminders_skip_a_loan_whose_promise_is_not_yet_due(borrower, collector):
    from apps.collections.models import Notification
    from apps.collections.reminders import queue_reminders

    promised, other = make_loan(borrower), make_loan(borrower)
    day = max(days_after(loan, 1, 2) for loan in (promised, other))
    night(day)
    case = CollectionCase.objects.get(loan=promised)
    due = (day + datetime.timedelta(days=2)).isoformat()
    assert act(client_for(collector), case, ptp_amount="100.00", ptp_due_on=due).status_code == 201
    queue_reminders(day)
    assert set(Notification.objects.values_list("loan_id", flat=True)) == {other.pk}


def test_the_night_is_idempotent_and_counts_what_it_did(borrower, collector):
    loan = make_loan(borrower)
    day = days_after(loan, 1, 1)
    close_day(day)
    from apps.collections.case_sync import cases_sync

    first = cases_sync(day)
    assert first["cases_opened"] == 1 and first["cases_assigned"] == 1
    again = cases_sync(day)
    assert again == dict.fromkeys(first, 0)
    assert CaseEvent.objects.count() == 2


def test_a_collector_token_reaches_no_loan_invoice_or_business_through_the_api(borrower, collector, officer):
    loan = make_loan(borrower)
    mine, staff = client_for(collector), client_for(officer)
    installment = loan.installments.get(number=1)
    for url in (
        f"/api/v1/loans/{loan.pk}",
        f"/api/v1/repayments/loan/{loan.pk}/emis",
        f"/api/v1/repayments/loan/{loan.pk}/history",
        f"/api/v1/invoices/{loan.invoice_id}",
    ):
        assert staff.get(url).status_code == 200, url  # the page exists; an OFFICER reads it
        assert mine.get(url).status_code in (403, 404), url
    paid = mine.post(f"/api/v1/repayments/emi/{installment.pk}/pay", {"amount": "10.00"}, format="json")
    assert paid.status_code in (403, 404)
    assert not loan.repayments.exists()
