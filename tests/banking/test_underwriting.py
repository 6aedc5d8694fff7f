"""Bank data changes decisions: the score gets a banking-conduct factor, offers are cut so the
EMI fits what the cash flow affords, and the risk evaluation names the bank-data reasons."""

from decimal import Decimal

import pytest

from apps.banking.models import CashFlowSummary
from apps.banking.statements import monthly_receipts
from apps.core.errors import Conflict
from apps.demo.identifiers import make_gstin
from apps.kyc.models import Business
from apps.loans.models import LoanApplication
from apps.loans.services.applications import application_approve
from apps.risk.services import credit_score_compute
from tests.support.banking import consents_approved, synced
from tests.support.lending import ensure_products, generate, verified_business, verified_invoice

pytestmark = pytest.mark.django_db
OFFERS = "/api/v1/offers/generate"


def _banking(score) -> dict:
    return next(f for f in score.factors if f["name"] == "banking")


def _declare(business, turnover) -> Business:
    Business.objects.filter(pk=business.pk).update(declared_turnover=turnover)
    business.refresh_from_db()
    return business


def test_the_score_and_the_offer_change_with_the_bank_data(borrower, borrower_client, client):
    ensure_products()
    business = verified_business(borrower)
    # Receipts in the bank match the turnover declared to GST: nothing to question there.
    business = _declare(business, monthly_receipts(business.pan) * 12)
    before = generate(borrower_client, str(verified_invoice(borrower, amount="900000.00").pk))["UNSECURED"]
    score_before = credit_score_compute(business=business)
    assert _banking(score_before) == {"name": "banking", "value": None, "points": 0, "reason": "no bank data shared"}

    consents_approved(borrower_client, client)
    synced(borrower_client)
    summary = CashFlowSummary.objects.get(business=business)
    assert summary.bounced_debits == 2  # the sandbox's one returned EMI and one returned cheque
    assert summary.emi_obligations == Decimal("23665.70")  # BAJAJ 15,415.70 + TATA 8,250
    assert Decimal("0.90") <= summary.gst_turnover_ratio <= Decimal("1.10")
    assert 0 < summary.max_affordable_emi < Decimal(before["emi"])

    score_after = credit_score_compute(business=business)
    assert _banking(score_after) == {
        "name": "banking",
        "value": 2,
        "points": -40,
        "reason": "bank data: 2 bounced debits",
    }
    assert score_after.score == score_before.score - 40

    answer = borrower_client.post(OFFERS, {"invoice_id": str(verified_invoice(borrower, amount="900000.00").pk)})
    assert answer.status_code == 201, answer.content
    (after,) = answer.json()["offers"]
    assert Decimal(after["emi"]) <= summary.max_affordable_emi
    assert Decimal("10000.00") <= Decimal(after["principal"]) < Decimal(before["principal"])


def test_thin_receipts_and_bounces_send_the_decision_to_review_and_no_emi_fits(
    borrower, borrower_client, client, officer
):
    ensure_products()
    business = verified_business(borrower)
    # The sandbox's troubled profile: a PAN starting ZZB has thin receipts and bouncing EMIs.
    pan = "ZZB" + business.pan[3:]
    Business.objects.filter(pk=business.pk).update(pan=pan, gstin=make_gstin(pan))
    business = _declare(business, monthly_receipts(pan) * 12 * 4)
    consents_approved(borrower_client, client)
    synced(borrower_client)
    summary = CashFlowSummary.objects.get(business=business)
    assert summary.max_affordable_emi == Decimal("0.00") and summary.bounced_debits > 2

    invoice = verified_invoice(borrower, amount="300000.00")
    held = borrower_client.post(OFFERS, {"invoice_id": str(invoice.pk)}).json()
    assert held["code"] == "risk_review"
    assert f"{summary.bounced_debits} bounced debits in 12 months of bank data" in held["reasons"]
    assert any(r.startswith("bank credits are ") and "of the GST-declared turnover" in r for r in held["reasons"])
    banking = _banking(credit_score_compute(business=business))
    assert "existing EMIs take the whole surplus" in banking["reason"] and banking["points"] < -80

    # Ops may approve the risk; the cash flow still has no room for an EMI, and the application
    # waits on the worklist.
    with pytest.raises(Conflict) as refused:
        application_approve(application_id=held["application_id"], actor=officer, reason="known customer, seasonal dip")
    assert refused.value.code == "emi_unaffordable" and refused.value.extra["max_affordable_emi"] == "0.00"
    assert LoanApplication.objects.get(pk=held["application_id"]).status == "UNDER_REVIEW"


def test_a_finished_sync_rescores_the_business_through_the_outbox(borrower, borrower_client, client):
    from apps.core.outbox import events_dispatch
    from apps.risk.models import CreditScore

    business = verified_business(borrower)
    consents_approved(borrower_client, client, banks=("SBI",))
    synced(borrower_client)
    assert not CreditScore.objects.filter(business=business).exists()
    events_dispatch()
    score = CreditScore.objects.get(business=business)
    assert _banking(score)["reason"].startswith("bank data: ")
