import datetime

import pytest
import time_machine
from django.utils import timezone

from apps.audit.models import AuditLog
from apps.core.jobs import get_job
from apps.invoices.models import Invoice
from apps.loans.models import LoanApplication, Offer
from apps.loans.services import offers_expire_due
from tests.support.lending import generate
from tests.support.users import client_for, make_user, staff

pytestmark = pytest.mark.django_db


def test_unsecured_only_without_collateral(borrower_client, invoice_id):
    offers = generate(borrower_client, invoice_id)
    assert list(offers) == ["UNSECURED"]
    assert offers["UNSECURED"]["principal"] == "75000.00"
    assert Invoice.objects.get(pk=invoice_id).status == Invoice.Status.OFFERED


def test_secured_and_unsecured_when_free_collateral_covers(borrower_client, secured_invoice_id):
    offers = generate(borrower_client, secured_invoice_id)
    assert sorted(offers) == ["SECURED", "UNSECURED"]
    secured = offers["SECURED"]
    assert secured["principal"] == "90000.00"
    assert len(secured["collateral_ids"]) == 1
    assert float(secured["annual_rate"]) < float(offers["UNSECURED"]["annual_rate"])


def test_generating_again_returns_the_same_active_offers(borrower_client, secured_invoice_id):
    first = generate(borrower_client, secured_invoice_id)
    second = generate(borrower_client, secured_invoice_id)
    assert {o["id"] for o in first.values()} == {o["id"] for o in second.values()}
    assert Offer.objects.count() == 2


def test_another_borrowers_invoice_is_404(borrower_client, invoice_id):
    stranger = make_user()
    response = client_for(stranger).post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json")
    assert response.status_code == 404
    assert client_for(stranger).get(f"/api/v1/offers/invoice/{invoice_id}").status_code == 404


def test_offers_of_an_invoice_are_listed_for_its_owner_and_staff(borrower_client, officer_client, invoice_id):
    generate(borrower_client, invoice_id)
    for client in (borrower_client, officer_client):
        rows = client.get(f"/api/v1/offers/invoice/{invoice_id}").json()["results"]
        assert [row["type"] for row in rows] == ["UNSECURED"]


def test_a_rejected_invoice_gets_no_offers(borrower_client, business):
    from tests.support.lending import invoice_payload

    rejected = borrower_client.post(
        "/api/v1/invoices/add", invoice_payload(invoice_number="NOTFOUND-9"), format="json"
    ).json()["id"]
    response = borrower_client.post("/api/v1/offers/generate", {"invoice_id": rejected}, format="json")
    assert response.status_code == 409


def test_a_reject_risk_decision_is_409_with_reasons(borrower_client, invoice_id, monkeypatch):
    from apps.loans.services import applications as applications_module

    real = applications_module.risk_evaluation_run

    def rejecting(*, business, amount, actor):
        decision = real(business=business, amount=amount, actor=actor)
        return decision.__class__(**{**decision.__dict__, "outcome": "REJECT", "reasons": ["GSTIN cancelled"]})

    monkeypatch.setattr(applications_module, "risk_evaluation_run", rejecting)
    response = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json")
    assert response.status_code == 409
    assert response.json()["reasons"] == ["GSTIN cancelled"]
    assert Offer.objects.count() == 0
    assert Invoice.objects.get(pk=invoice_id).status == Invoice.Status.VERIFIED
    # The decline is committed with the 409: the application and its audit are the record.
    application = LoanApplication.objects.get(pk=response.json()["application_id"])
    assert (application.status, application.reasons) == ("REJECTED", ["GSTIN cancelled"])
    assert AuditLog.objects.filter(action="application.submitted", object_id=str(application.pk)).exists()


def test_expiry_job_expires_offers_and_reopens_the_invoice_then_new_offers_can_be_made(
    borrower_client, secured_invoice_id
):
    first = generate(borrower_client, secured_invoice_id)
    later = timezone.now() + datetime.timedelta(hours=73)
    assert offers_expire_due(now=later) == {"offers_expired": 2, "invoices_reopened": 1}
    assert set(Offer.objects.values_list("status", flat=True)) == {"EXPIRED"}
    assert Invoice.objects.get(pk=secured_invoice_id).status == Invoice.Status.VERIFIED
    assert offers_expire_due(now=later) == {"offers_expired": 0, "invoices_reopened": 0}
    second = generate(borrower_client, secured_invoice_id)
    assert not {o["id"] for o in first.values()} & {o["id"] for o in second.values()}


def test_offers_past_validity_are_replaced_even_before_the_job_runs(borrower, borrower_client, invoice_id):
    first = generate(borrower_client, invoice_id)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=80)):
        second = generate(client_for(borrower), invoice_id)
    assert first["UNSECURED"]["id"] != second["UNSECURED"]["id"]
    assert Offer.objects.get(pk=first["UNSECURED"]["id"]).status == Offer.Status.EXPIRED


def test_offer_expiry_is_a_registered_job():
    assert get_job("offer_expiry") is not None


@pytest.mark.django_db(transaction=True)
def test_expiry_skips_an_invoice_a_sanction_holds_instead_of_waiting_on_it(ledger_chart):
    import psycopg
    from django.db import connection

    from tests.support.lending import ensure_products, invoice_payload, verified_business

    ensure_products()
    borrower = make_user()
    verified_business(borrower)
    client = client_for(borrower)
    invoice_id = client.post("/api/v1/invoices/add", invoice_payload(), format="json").json()["id"]
    generate(client, invoice_id)
    later = timezone.now() + datetime.timedelta(hours=73)
    params = connection.get_connection_params()
    dsn = {k: v for k, v in params.items() if k in ("dbname", "host", "port", "user", "password") and v}
    with psycopg.connect(**dsn) as sanctioning:  # a sanction in flight holds the invoice row
        sanctioning.execute("SELECT 1 FROM invoices_invoice WHERE id = %s FOR UPDATE", [invoice_id])
        assert offers_expire_due(now=later) == {"offers_expired": 0, "invoices_reopened": 0}
    assert offers_expire_due(now=later) == {"offers_expired": 1, "invoices_reopened": 1}


def test_generate_is_an_application_and_a_review_decision_holds_the_application_not_the_invoice(
    borrower_client, invoice_id, client
):
    from constance.test import override_config

    with override_config(RISK_REVIEW_AMOUNT=50000):
        held = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json")
        assert held.status_code == 409 and held.json()["code"] == "risk_review"
        assert "automatic limit" in held.json()["reasons"][0]
        assert Offer.objects.count() == 0
        application = LoanApplication.objects.get(pk=held.json()["application_id"])
        assert (application.status, application.decision) == ("UNDER_REVIEW", "REVIEW")
        assert str(application.invoice_id) == invoice_id and application.reasons == held.json()["reasons"]
        assert Invoice.objects.get(pk=invoice_id).status == "VERIFIED"
        # Asking again while it waits queues nothing more: the same application answers.
        again = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json")
        assert again.json()["application_id"] == str(application.pk)
        assert LoanApplication.objects.count() == 1
        mine = borrower_client.get("/api/v1/loan-applications").json()["results"]
        assert [a["status"] for a in mine] == ["UNDER_REVIEW"]

        client.force_login(staff("OFFICER"))
        url = f"/admin/loans/loanapplication/{application.pk}/transition/approve/"
        client.post(url, {"reason": "buyer is a listed company; limit raised by the credit committee"})
        application.refresh_from_db()
        assert application.status == "APPROVED" and application.decided_by is not None
        offers = generate(borrower_client, invoice_id)
        assert set(offers) == {"UNSECURED"}
        assert set(Offer.objects.values_list("application_id", flat=True)) == {application.pk}


def test_an_approved_generate_records_its_application_and_an_officers_rejection_stands(
    borrower_client, invoice_id, client
):
    from constance.test import override_config

    from apps.loans.services.applications import application_reject

    offers = generate(borrower_client, invoice_id)
    application = LoanApplication.objects.get(invoice_id=invoice_id)
    assert (application.status, application.decision) == ("APPROVED", "APPROVE")
    assert set(Offer.objects.values_list("application_id", flat=True)) == {application.pk}
    assert offers and AuditLog.objects.filter(action="application.submitted", object_id=str(application.pk)).exists()

    later = timezone.now() + datetime.timedelta(hours=73)
    offers_expire_due(now=later)  # the invoice is VERIFIED again, its offers EXPIRED
    with override_config(RISK_REVIEW_AMOUNT=50000):
        held = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json").json()
        application_reject(application_id=held["application_id"], actor=staff("OFFICER"), reason="buyer in dispute")
        refused = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "risk_rejected"
    assert refused.json()["reasons"] == ["buyer in dispute"]
    assert LoanApplication.objects.filter(invoice_id=invoice_id).count() == 2


def test_a_draft_or_an_automatic_rejection_does_not_lift_an_officers_rejection(borrower_client, invoice_id):
    from constance.test import override_config

    from apps.loans.services.applications import application_reject
    from tests.support.lending import ensure_products

    with override_config(RISK_REVIEW_AMOUNT=50000):
        held = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json").json()
    application_reject(application_id=held["application_id"], actor=staff("OFFICER"), reason="buyer in dispute")
    product = ensure_products()
    draft = borrower_client.post(
        "/api/v1/loan-applications",
        {"invoice_id": invoice_id, "product_id": str(product.pk), "requested_amount": "20000.00",
         "tenure_months": product.tenure_months},
        format="json",
    )  # fmt: skip
    assert draft.status_code == 201
    refused = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "risk_rejected"


def test_an_application_without_a_score_is_priced_on_a_fresh_evaluation_when_approved(borrower_client, invoice_id):
    """What loans 0019 left for a business never scored: approving it evaluates it then."""
    from constance.test import override_config

    from apps.loans.services.applications import application_approve

    with override_config(RISK_REVIEW_AMOUNT=50000):
        held = borrower_client.post("/api/v1/offers/generate", {"invoice_id": invoice_id}, format="json").json()
    LoanApplication.objects.filter(pk=held["application_id"]).update(credit_score=None)
    approved = application_approve(application_id=held["application_id"], actor=staff("OFFICER"), reason="seen it")
    assert approved.status == "APPROVED" and approved.credit_score is not None
    assert Offer.objects.filter(application=approved).exists()
