import threading
from decimal import Decimal

import pytest
from django.db import connection

from apps.audit.models import AuditLog
from apps.invoices.models import Invoice
from apps.kyc.models import Collateral
from apps.ledger.models import JournalEntry
from apps.loans.models import Installment, Loan, Offer, Payout
from apps.risk.fraud import risk_alert_clear
from tests.support.factories import AdminFactory, BankAccountFactory
from tests.support.lending import (
    add_collateral,
    ensure_products,
    generate,
    invoice_payload,
    payout_account,
    verified_business,
)
from tests.support.users import client_for, make_user

pytestmark = pytest.mark.django_db

SANCTION = "/api/v1/loans/sanction"


def sanction(client, offer_id, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(SANCTION, {"offer_id": offer_id}, format="json", **headers)


def test_sanction_disburses_net_of_fees_and_withdraws_the_sibling(borrower_client, secured_invoice_id):
    offers = generate(borrower_client, secured_invoice_id)
    response = sanction(borrower_client, offers["SECURED"]["id"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "ACTIVE"
    assert body["principal"] == "90000.00"
    assert body["outstanding_principal"] == "90000.00"
    assert body["disbursed_amount"] == str(
        Decimal("90000.00") - Decimal(offers["SECURED"]["processing_fee"]) - Decimal(offers["SECURED"]["fee_gst"])
    )
    assert (body["dpd"], body["asset_classification"]) == (0, "STANDARD")
    assert Offer.objects.get(pk=offers["UNSECURED"]["id"]).status == Offer.Status.WITHDRAWN
    assert Offer.objects.get(pk=offers["SECURED"]["id"]).status == Offer.Status.ACCEPTED
    assert Invoice.objects.get(pk=secured_invoice_id).status == Invoice.Status.FINANCED
    assert set(Collateral.objects.values_list("lien_status", flat=True)) == {"PLEDGED"}
    loan = Loan.objects.get(pk=body["id"])
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"offer.accepted", "offer.withdrawn", "invoice.financed", "loan.sanctioned", "loan.disbursed"} <= actions
    assert loan.contract_sha256


def test_schedule_sums_to_the_principal_and_starts_a_month_after_disbursement(borrower_client, invoice_id):
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    loan_id = sanction(borrower_client, offer["id"]).json()["id"]
    emis = borrower_client.get(f"/api/v1/repayments/loan/{loan_id}/emis").json()
    loan = Loan.objects.get(pk=loan_id)
    assert [row["number"] for row in emis] == [1, 2, 3, 4, 5, 6]
    assert sum(Decimal(row["principal_due"]) for row in emis) == Decimal("75000.00")
    assert all(Decimal(row["amount_due"]) == Decimal(offer["emi"]) for row in emis[:-1])
    assert emis[0]["due_date"] > loan.disbursed_on.isoformat()
    assert {row["status"] for row in emis} == {"PENDING"}


def test_disbursement_is_one_balanced_entry_matching_the_loan(borrower_client, invoice_id):
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    loan = Loan.objects.get(pk=sanction(borrower_client, offer["id"]).json()["id"])
    entry = JournalEntry.objects.get(loan_id=loan.pk)
    lines = {line.account.code: (line.debit, line.credit) for line in entry.lines.select_related("account")}
    assert lines == {
        "1100": (loan.principal, Decimal("0")),
        "1000": (Decimal("0"), loan.disbursed_amount),
        "4000": (Decimal("0"), loan.processing_fee),
        "2100": (Decimal("0"), loan.fee_gst),
    }
    assert loan.processing_fee == Decimal("1125.00")
    assert loan.fee_gst == Decimal("202.50")
    assert loan.disbursed_amount == Decimal("73672.50")


def test_a_second_sanction_and_a_withdrawn_offer_are_409(borrower_client, secured_invoice_id):
    offers = generate(borrower_client, secured_invoice_id)
    assert sanction(borrower_client, offers["UNSECURED"]["id"]).status_code == 201
    assert sanction(borrower_client, offers["UNSECURED"]["id"]).status_code == 409
    assert sanction(borrower_client, offers["SECURED"]["id"]).status_code == 409
    assert Loan.objects.count() == 1


def test_an_expired_offer_is_409(borrower_client, invoice_id):
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    Offer.objects.filter(pk=offer["id"]).update(valid_until="2000-01-01T00:00:00Z")
    response = sanction(borrower_client, offer["id"])
    assert response.status_code == 409
    assert Loan.objects.count() == 0


def test_another_borrower_gets_404_everywhere(borrower_client, invoice_id):
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    stranger = client_for(make_user())
    assert sanction(stranger, offer["id"]).status_code == 404
    loan_id = sanction(borrower_client, offer["id"]).json()["id"]
    for path in (
        f"/api/v1/loans/{loan_id}",
        f"/api/v1/loans/{loan_id}/contract",
        f"/api/v1/repayments/loan/{loan_id}/emis",
    ):
        assert stranger.get(path).status_code == 404, path
        assert borrower_client.get(path).status_code == 200, path
    assert stranger.get("/api/v1/loans/my").json()["results"] == []
    assert [row["id"] for row in borrower_client.get("/api/v1/loans/my").json()["results"]] == [loan_id]


def test_a_refused_payout_cancels_the_loan_and_frees_everything_it_held(borrower, borrower_client, product):
    business = verified_business(borrower)
    payout_account(business, last4="3333")  # the sandbox bank refuses credits to this account
    add_collateral(business)
    invoice_id = borrower_client.post("/api/v1/invoices/add", invoice_payload(), format="json").json()["id"]
    offers = generate(borrower_client, invoice_id)
    response = sanction(borrower_client, offers["SECURED"]["id"])
    assert response.status_code == 502
    assert response.json()["code"] == "payout_failed"
    assert "refused" in response.json()["detail"]
    loan = Loan.objects.get()
    assert (loan.status, loan.payout_status) == (Loan.Status.CANCELLED, "FAILED")
    assert (loan.payout.status, loan.payout.settled_by) == (Payout.Status.FAILED, "rail")
    assert JournalEntry.objects.count() == 0  # no money left: nothing is booked
    assert set(Collateral.objects.values_list("lien_status", flat=True)) == {"RELEASED"}
    assert Invoice.objects.get(pk=invoice_id).status == Invoice.Status.VERIFIED
    # The borrower names another verified account and accepts a fresh offer: an account that
    # replaced the first minutes ago is held for ops (the fraud rule payout_to_new_account);
    # once they clear it, it pays out there.
    other = BankAccountFactory(business=business, is_primary=False, account_last4="8642")
    offers = generate(borrower_client, invoice_id)
    body = {"offer_id": offers["UNSECURED"]["id"], "bank_account_id": str(other.pk)}
    held = borrower_client.post(SANCTION, body, format="json")
    assert (held.status_code, held.json()["code"]) == (409, "held_for_review")
    [alert] = held.json()["alerts"]
    risk_alert_clear(riskalert_id=alert["id"], actor=AdminFactory(), reason="the borrower called from the known number")
    paid = borrower_client.post(SANCTION, body, format="json")
    assert paid.status_code == 201, paid.content
    assert paid.json()["status"] == "ACTIVE"
    assert Payout.objects.get(loan_id=paid.json()["id"]).bank_account == other


def test_no_verified_bank_account_is_409_and_changes_nothing(borrower, borrower_client, product):
    business = verified_business(borrower)
    invoice_id = borrower_client.post("/api/v1/invoices/add", invoice_payload(), format="json").json()["id"]
    offers = generate(borrower_client, invoice_id)
    response = sanction(borrower_client, offers["UNSECURED"]["id"])
    assert response.status_code == 409 and response.json()["code"] == "bank_account_required"
    mismatch = BankAccountFactory(business=business, status="NAME_MISMATCH")
    named = borrower_client.post(
        SANCTION, {"offer_id": offers["UNSECURED"]["id"], "bank_account_id": str(mismatch.pk)}, format="json"
    )
    assert named.status_code == 409 and named.json()["code"] == "bank_account_required"
    assert not Loan.objects.exists() and not Payout.objects.exists()
    assert set(Offer.objects.values_list("status", flat=True)) == {"ACTIVE"}
    assert Invoice.objects.get(pk=invoice_id).status == Invoice.Status.OFFERED
    bad = borrower_client.post(SANCTION, {"offer_id": offers["UNSECURED"]["id"], "bank_account_id": "x"}, format="json")
    assert bad.status_code == 400 and "bank_account_id" in bad.json()["errors"]


def test_contract_link_serves_the_pdf_whose_sha256_it_names(borrower_client, invoice_id, client):
    import hashlib

    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    loan_id = sanction(borrower_client, offer["id"]).json()["id"]
    link = borrower_client.get(f"/api/v1/loans/{loan_id}/contract").json()
    assert set(link) == {"url", "expires_at", "sha256"}
    download = client.get(link["url"])
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content) if download.streaming else download.content
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == link["sha256"]


def test_idempotency_key_replays_the_first_answer(borrower_client, invoice_id):
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    first = sanction(borrower_client, offer["id"], key="sanction-1")
    again = sanction(borrower_client, offer["id"], key="sanction-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Loan.objects.count() == 1


def test_the_same_key_for_another_offer_is_422(borrower_client, invoice_id, borrower):
    offer = generate(borrower_client, invoice_id)["UNSECURED"]
    assert sanction(borrower_client, offer["id"], key="sanction-2").status_code == 201
    second_invoice = borrower_client.post("/api/v1/invoices/add", invoice_payload(), format="json").json()["id"]
    another = generate(borrower_client, second_invoice)["UNSECURED"]
    reused = sanction(borrower_client, another["id"], key="sanction-2")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    assert Loan.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_sanctions_of_both_offers_give_one_loan_and_one_409(ledger_chart):
    ensure_products()
    borrower = make_user()
    business = verified_business(borrower)
    payout_account(business)
    add_collateral(business)
    client = client_for(borrower)
    invoice_id = client.post("/api/v1/invoices/add", invoice_payload(), format="json").json()["id"]
    offers = generate(client, invoice_id)
    barrier = threading.Barrier(2)
    results = []

    def attempt(offer_id):
        try:
            barrier.wait()
            results.append(sanction(client_for(borrower), offer_id).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(offers[kind]["id"],)) for kind in ("SECURED", "UNSECURED")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201, 409]
    assert Loan.objects.count() == 1
    assert Installment.objects.count() == 6
    assert JournalEntry.objects.count() == 1
    assert Offer.objects.filter(status="ACCEPTED").count() == 1
