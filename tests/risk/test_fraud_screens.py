"""The fraud rules at their checkpoints, through the API and the admin: REVIEW holds the action
(409 held_for_review) until ops clear the alert, BLOCK refuses it (403 blocked), and the alert
outlives the refusal."""

import pytest
from constance.test import override_config

from apps.audit.models import AuditLog
from apps.core.models import Event
from apps.demo.identifiers import make_gstin
from apps.loans.models import Loan
from apps.payments.models import PaymentIntent
from apps.risk.models import RiskAlert
from tests.support.factories import BusinessFactory
from tests.support.lending import (
    ensure_products,
    generate,
    invoice_payload,
    make_loan,
    payout_account,
    verified_business,
)
from tests.support.users import client_for

pytestmark = pytest.mark.django_db
SANCTION = "/api/v1/loans/sanction"
ALERTS = "/api/v1/admin/risk-alerts"


def _offer(client, business, **invoice):
    ensure_products()
    payout_account(business)
    invoice_id = client.post("/api/v1/invoices/add", invoice_payload(**invoice), format="json").json()["id"]
    return generate(client, invoice_id)["UNSECURED"]["id"]


def _circular_offer(borrower, client):
    business = verified_business(borrower)
    return _offer(client, business, buyer_gstin=make_gstin(business.pan, "29"))


def test_a_held_sanction_goes_through_once_ops_clear_the_alert(borrower, borrower_client, officer_client):
    offer_id = _circular_offer(borrower, borrower_client)
    held = borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json")
    assert (held.status_code, held.json()["code"]) == (409, "held_for_review")
    [alert] = RiskAlert.objects.all()
    assert (alert.rule, alert.decision, alert.status, alert.subject_type) == (
        "circular_trading", "REVIEW", "OPEN", "invoice"
    )  # fmt: skip
    assert held.json()["alerts"] == [{"id": str(alert.pk), "rule": "circular_trading", "status": "OPEN"}]
    assert not Loan.objects.exists()
    assert AuditLog.objects.filter(action="risk.alert_raised", object_id=str(alert.pk)).exists()
    assert Event.objects.filter(topic="risk.alert_raised", aggregate_id=str(alert.pk)).exists()
    # Trying again finds the same open alert, no second one.
    assert borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json").status_code == 409
    assert RiskAlert.objects.count() == 1

    queue = officer_client.get(ALERTS, {"status": "OPEN"}).json()["results"]
    assert [row["id"] for row in queue] == [str(alert.pk)]
    cleared = officer_client.post(f"{ALERTS}/{alert.pk}/clear", {"reason": "buyer is a sister concern, known"})
    assert (cleared.status_code, cleared.json()["status"]) == (200, "CLEARED")
    assert borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json").status_code == 201
    assert AuditLog.objects.filter(action="risk.alert_cleared", object_id=str(alert.pk)).exists()


def test_a_confirmed_alert_refuses_the_action_from_then_on(borrower, borrower_client, officer_client):
    offer_id = _circular_offer(borrower, borrower_client)
    borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json")
    alert = RiskAlert.objects.get()
    assert officer_client.post(f"{ALERTS}/{alert.pk}/confirm", {"reason": "own shell company"}).status_code == 200
    refused = borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "blocked")
    again = officer_client.post(f"{ALERTS}/{alert.pk}/clear", {"reason": "changed my mind"})
    assert (again.status_code, again.json()["code"]) == (409, "alert_state")


def test_a_shared_pan_holds_the_sanction_naming_the_other_business(borrower, borrower_client):
    business = verified_business(borrower)
    twin = BusinessFactory(pan=business.pan, gstin=make_gstin(business.pan, "29"), aadhaar_hash="another-owner")
    offer_id = _offer(borrower_client, business)
    assert borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json").status_code == 409
    alert = RiskAlert.objects.get()
    assert (alert.rule, alert.evidence) == ("shared_identity", {"pan_shared_with": [str(twin.pk)]})


def test_an_invoice_far_above_turnover_is_held(borrower, borrower_client):
    business = verified_business(borrower)
    business.declared_turnover = 150000
    business.save(update_fields=["declared_turnover"])
    offer_id = _offer(borrower_client, business, amount="100000.00")
    assert borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json").json()["code"] == "held_for_review"
    assert RiskAlert.objects.get().rule == "invoice_above_turnover"


def test_a_burst_of_payment_intents_is_blocked_and_recorded(borrower):
    loan = make_loan(borrower)
    client = client_for(borrower)
    url = f"/api/v1/repayments/loan/{loan.pk}/payment-intents"
    with override_config(FRAUD_INTENT_BURST_COUNT=2):
        answers = [client.post(url, {"amount": "10.00", "method": "UPI"}, format="json") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 403]
    assert answers[2].json()["code"] == "blocked"
    assert PaymentIntent.objects.count() == 2
    alert = RiskAlert.objects.get()
    assert (alert.rule, alert.subject_id, alert.evidence["intents"]) == ("payment_intent_burst", str(borrower.pk), 3)


def test_otps_for_many_phones_from_one_address_are_blocked(api_client):
    with override_config(FRAUD_OTP_PHONES_PER_IP=3):
        answers = [
            api_client.post("/api/v1/auth/otp/send", {"phone": f"+9198125{n:05d}"}, REMOTE_ADDR="10.7.7.7")
            for n in range(4)
        ]
        other_address = api_client.post("/api/v1/auth/otp/send", {"phone": "+919812600001"}, REMOTE_ADDR="10.7.7.8")
    assert [a.status_code for a in answers] == [200, 200, 200, 403]
    assert other_address.status_code == 200
    alert = RiskAlert.objects.get()
    assert (alert.rule, alert.subject_type, alert.subject_id, alert.decision) == (
        "otp_burst",
        "ip",
        "10.7.7.7",
        "BLOCK",
    )


def test_borrowers_cannot_see_or_review_alerts(borrower_client):
    assert borrower_client.get(ALERTS).status_code == 403
    assert (
        borrower_client.post(f"{ALERTS}/00000000-0000-0000-0000-000000000000/clear", {"reason": "x"}).status_code == 403
    )


def test_a_review_without_a_reason_is_a_400_naming_it(officer_client):
    answer = officer_client.post(f"{ALERTS}/00000000-0000-0000-0000-000000000000/clear", {})
    assert answer.status_code == 400 and "reason" in answer.json()["errors"]


def test_ops_clear_an_alert_from_the_admin_queue(borrower, borrower_client, officer_web):
    offer_id = _circular_offer(borrower, borrower_client)
    borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json")
    alert = RiskAlert.objects.get()
    page = officer_web.get("/admin/risk/riskalert/?status__exact=OPEN")
    assert page.status_code == 200 and "Circular trading" in page.content.decode()
    detail = officer_web.get(f"/admin/risk/riskalert/{alert.pk}/change/").content.decode()
    assert "Clear: nothing wrong" in detail and "buyer_gstin" in detail
    officer_web.post(f"/admin/risk/riskalert/{alert.pk}/transition/clear/", {"reason": "known group company"})
    alert.refresh_from_db()
    assert (alert.status, alert.review_note) == ("CLEARED", "known group company")


@pytest.mark.django_db(transaction=True)
def test_the_alert_outlives_the_action_it_refused(ledger_chart, borrower, borrower_client):
    """Committed in its own transaction, before the sanction's: nothing rolls it back."""
    offer_id = _circular_offer(borrower, borrower_client)
    assert borrower_client.post(SANCTION, {"offer_id": offer_id}, format="json").status_code == 409
    assert RiskAlert.objects.filter(rule="circular_trading", status="OPEN").count() == 1
