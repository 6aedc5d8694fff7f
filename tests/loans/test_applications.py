"""Loan applications through every state: drafted, edited, submitted to the risk evaluation
(APPROVED with offers, REJECTED, UNDER_REVIEW), decided by an officer; refused on the field."""

from decimal import Decimal

import pytest

from apps.audit.models import AuditLog
from apps.kyc.models import Business
from apps.loans.models import LoanApplication
from tests.support.lending import ensure_products, invoice_payload, payout_account, verified_business
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/loan-applications"


@pytest.fixture
def product():
    return ensure_products()


def _invoice(client, amount="100000.00"):
    answer = client.post("/api/v1/invoices/add", invoice_payload(amount=amount), format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def _apply(client, invoice_id, product, amount="70000.00", tenure=6):
    body = {
        "invoice_id": invoice_id,
        "product_id": str(product.pk),
        "requested_amount": amount,
        "tenure_months": tenure,
    }
    return client.post(URL, body, format="json")


def test_drafted_edited_submitted_and_approved_with_offers(borrower, borrower_client, product):
    payout_account(verified_business(borrower))
    invoice_id = _invoice(borrower_client)
    created = _apply(borrower_client, invoice_id, product)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["requested_amount"], body["decision"], body["offers"]) == ("DRAFT", "70000.00", "", [])
    edited = borrower_client.patch(f"{URL}/{body['id']}", {"requested_amount": "60000.00"}, format="json")
    assert edited.status_code == 200 and edited.json()["requested_amount"] == "60000.00"

    submitted = borrower_client.post(f"{URL}/{body['id']}/submit")
    assert submitted.status_code == 200, submitted.content
    result = submitted.json()
    assert (result["status"], result["decision"], result["reasons"]) == ("APPROVED", "APPROVE", [])
    # The product would advance 75,000 on this invoice: the offer is the 60,000 asked for.
    (offer,) = result["offers"]
    assert (offer["type"], offer["principal"], offer["invoice_id"]) == ("UNSECURED", "60000.00", invoice_id)
    again = borrower_client.patch(f"{URL}/{body['id']}", {"requested_amount": "50000.00"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "application_state"
    assert borrower_client.post(f"{URL}/{body['id']}/submit").status_code == 409
    # The offer is sanctioned like any other.
    loan = borrower_client.post("/api/v1/loans/sanction", {"offer_id": offer["id"]}, format="json")
    assert loan.status_code == 201, loan.content
    actions = AuditLog.objects.filter(object_id=body["id"]).values_list("action", flat=True)
    assert sorted(actions) == ["application.created", "application.edited", "application.submitted"]


def test_held_for_review_then_an_officer_approves_or_rejects_with_a_reason(
    borrower, borrower_client, officer_client, product
):
    payout_account(verified_business(borrower))
    big = [_apply(borrower_client, _invoice(borrower_client, "4000000.00"), product, "3000000.00") for _ in range(2)]
    held = [borrower_client.post(f"{URL}/{a.json()['id']}/submit").json() for a in big]
    for application in held:
        assert application["status"] == "UNDER_REVIEW"
        assert application["reasons"] == ["amount 3000000.00 above the automatic limit 2500000"]
    first, second = (a["id"] for a in held)
    assert officer_client.get(f"{URL}?status=UNDER_REVIEW").json()["results"][0]["id"] in (first, second)
    assert borrower_client.post(f"{URL}/{first}/approve", {"reason": "mine"}, format="json").status_code == 403
    missing = officer_client.post(f"{URL}/{first}/approve", {}, format="json")
    assert missing.status_code == 400 and "reason" in str(missing.json())

    approved = officer_client.post(f"{URL}/{first}/approve", {"reason": "buyer is a listed company"}, format="json")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "APPROVED" and approved.json()["offers"]
    assert officer_client.post(f"{URL}/{first}/reject", {"reason": "too late"}, format="json").status_code == 409

    rejected = officer_client.post(f"{URL}/{second}/reject", {"reason": "concentration on one buyer"}, format="json")
    assert (
        rejected.json()["status"] == "REJECTED" and rejected.json()["decision_reason"] == "concentration on one buyer"
    )
    assert LoanApplication.objects.get(pk=second).offers.count() == 0


def test_a_rejected_decision_gives_its_reasons(borrower, borrower_client, product):
    business = verified_business(borrower)
    invoice_id = _invoice(borrower_client)
    Business.objects.filter(pk=business.pk).update(gst_status="CANCELLED")
    application = _apply(borrower_client, invoice_id, product).json()
    result = borrower_client.post(f"{URL}/{application['id']}/submit").json()
    assert (result["status"], result["decision"]) == ("REJECTED", "REJECT")
    assert "GST registration is cancelled" in result["reasons"] and result["offers"] == []


@pytest.mark.parametrize(
    ("amount", "tenure", "field", "text"),
    [
        ("9999.00", 6, "requested_amount", "lends 10000.00 to 5000000.00"),
        ("5000000.01", 6, "requested_amount", "lends 10000.00 to 5000000.00"),
        ("90000.01", 6, "requested_amount", "carries at most 90000.00"),
        ("50000.00", 12, "tenure_months", "tenure is 6 months"),
        ("0", 6, "requested_amount", ""),
        ("1.234", 6, "requested_amount", ""),
    ],
)
def test_outside_the_product_or_the_invoice_is_a_400_naming_the_field(
    borrower, borrower_client, product, amount, tenure, field, text
):
    verified_business(borrower)
    answer = _apply(borrower_client, _invoice(borrower_client), product, amount, tenure)
    assert answer.status_code == 400 and field in str(answer.json()) and text in str(answer.json()), answer.content
    assert not LoanApplication.objects.exists()


def test_another_borrowers_invoice_or_application_is_not_theirs(borrower, borrower_client, officer_client, product):
    verified_business(borrower)
    mine = _apply(borrower_client, _invoice(borrower_client), product).json()
    other = make_user()
    verified_business(other)
    stranger = client_for(other)
    assert _apply(stranger, _invoice(borrower_client), product).json()["errors"].keys() == {"invoice_id"}
    assert stranger.get(f"{URL}/{mine['id']}").status_code == 404
    assert stranger.post(f"{URL}/{mine['id']}/submit").status_code == 404
    assert stranger.get(URL).json()["results"] == []
    assert officer_client.get(f"{URL}/{mine['id']}").json()["requested_amount"] == "70000.00"
    assert _apply(officer_client, _invoice(borrower_client), product).status_code == 403
    assert Decimal(borrower_client.get(URL).json()["results"][0]["requested_amount"]) == Decimal("70000.00")


def test_the_officer_worklist_decides_a_held_application(borrower, borrower_client, officer_web, product):
    payout_account(verified_business(borrower))
    application = _apply(borrower_client, _invoice(borrower_client, "4000000.00"), product, "3000000.00").json()
    borrower_client.post(f"{URL}/{application['id']}/submit")
    queue = officer_web.get("/admin/loans/loanapplication/").content.decode()
    assert "Under review: to decide" in queue and "₹30,00,000.00" in queue
    page = officer_web.get(f"/admin/loans/loanapplication/{application['id']}/change/").content.decode()
    assert "Approve: make offers" in page and "above the automatic limit" in page
    officer_web.post(
        f"/admin/loans/loanapplication/{application['id']}/transition/approve/",
        {"reason": "listed buyer, good history"},
    )
    decided = LoanApplication.objects.get(pk=application["id"])
    assert decided.status == "APPROVED" and decided.offers.count() == 1
    assert decided.decision_reason == "listed buyer, good history"


def test_one_application_per_invoice_awaits_its_decision(borrower, borrower_client, product):
    payout_account(verified_business(borrower))
    invoice_id = _invoice(borrower_client, "4000000.00")
    first, second = (_apply(borrower_client, invoice_id, product, "3000000.00").json() for _ in range(2))
    assert borrower_client.post(f"{URL}/{first['id']}/submit").json()["status"] == "UNDER_REVIEW"
    refused = borrower_client.post(f"{URL}/{second['id']}/submit")
    assert refused.status_code == 409 and refused.json()["code"] == "application_open"
    assert LoanApplication.objects.get(pk=second["id"]).status == "DRAFT"
    # POST /offers/generate answers with the application already waiting, and queues nothing more.
    held = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json")
    assert held.status_code == 409 and held.json()["application_id"] == first["id"]
    assert LoanApplication.objects.filter(invoice_id=invoice_id).count() == 2


def test_the_database_refuses_a_second_open_application_for_an_invoice(borrower, borrower_client, product):
    from django.db import IntegrityError, transaction

    payout_account(verified_business(borrower))
    invoice_id = _invoice(borrower_client, "4000000.00")
    first, second = (_apply(borrower_client, invoice_id, product, "3000000.00").json() for _ in range(2))
    borrower_client.post(f"{URL}/{first['id']}/submit")
    with pytest.raises(IntegrityError), transaction.atomic():
        LoanApplication.objects.filter(pk=second["id"]).update(status="UNDER_REVIEW")
