import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.accounts.models import Device
from apps.kyc.models import Business
from apps.risk.models import CreditScore
from apps.risk.rules import MAX_SCORE, MIN_SCORE, Inputs, evaluate_rules, grade_for
from apps.risk.services import risk_evaluation_run, weights
from tests.support.lending import verified_business
from tests.support.users import make_user

DEFAULT_WEIGHTS = {
    "BASE": 600,
    "KYC_VERIFIED": 60,
    "KYC_PENDING": 40,
    "KYC_REJECTED": 200,
    "GST_CANCELLED": 150,
    "GST_AGE": 40,
    "TURNOVER": 50,
    "PER_INVOICE": 5,
    "INVOICE_CAP": 40,
    "CLEAN_REPAYMENT": 30,
    "NPA": 200,
    "PER_BOUNCE": 25,
    "UNTRUSTED_DEVICE": 20,
    "BANKING": 30,
    "BANK_BOUNCE": 20,
}

inputs = st.builds(
    Inputs,
    kyc_status=st.sampled_from(["PENDING", "VERIFIED", "MANUAL_REVIEW", "REJECTED"]),
    gst_status=st.sampled_from(["ACTIVE", "CANCELLED", ""]),
    gst_age_days=st.one_of(st.none(), st.integers(0, 20000)),
    declared_turnover=st.one_of(st.none(), st.integers(0, 10**12)),
    invoices_verified=st.integers(0, 10**6),
    invoices_rejected=st.integers(0, 10**6),
    distinct_buyers=st.integers(0, 10**5),
    has_loans=st.booleans(),
    max_dpd=st.integers(0, 5000),
    bounces=st.integers(0, 1000),
    devices=st.integers(0, 50),
    untrusted_devices=st.integers(0, 50),
    bank_data=st.booleans(),
    bank_bounces=st.integers(0, 1000),
    gst_turnover_ratio=st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)),
    bank_ratio_low=st.booleans(),
    bank_emi_room=st.booleans(),
)
weight_sets = st.fixed_dictionaries({key: st.integers(0, 1000) for key in DEFAULT_WEIGHTS})


@settings(max_examples=500, deadline=None)
@given(inputs=inputs, w=weight_sets)
def test_scores_stay_within_300_and_900_for_any_inputs_and_weights(inputs, w):
    score, grade, factors = evaluate_rules(inputs, w)
    assert MIN_SCORE <= score <= MAX_SCORE
    assert grade == grade_for(score)
    assert all({"name", "value", "points", "reason"} <= set(f) for f in factors)


def test_grades_at_their_boundaries():
    assert [grade_for(s) for s in (900, 780, 779, 700, 699, 620, 619, 540, 539, 300)] == list("AABBCCDDEE")


@pytest.mark.django_db
def test_the_weights_are_live_settings():
    from constance import config

    assert weights() == DEFAULT_WEIGHTS
    config.RISK_W_BASE = 500
    assert weights()["BASE"] == 500


@pytest.mark.django_db
def test_an_untrusted_device_lowers_the_score(borrower, borrower_client):
    from django.utils import timezone

    verified_business(borrower)
    before = borrower_client.get("/api/v1/businesses/me/credit-score").json()
    Device.objects.create(user=borrower, fingerprint="new-phone", last_active_at=timezone.now())
    after = borrower_client.post("/api/v1/businesses/me/credit-score/recalculate").json()
    assert after["score"] == before["score"] - 20
    assert any(f["name"] == "device" and f["points"] == -20 for f in after["factors"])
    assert CreditScore.objects.count() == 2
    assert borrower_client.get("/api/v1/businesses/me/credit-score").json()["computed_at"] == after["computed_at"]


@pytest.mark.django_db
def test_evaluate_rejects_a_cancelled_gst_and_approves_a_clean_business():
    clean = verified_business(make_user())
    assert risk_evaluation_run(business=clean, amount=100000).outcome == "APPROVE"
    cancelled = verified_business(make_user())
    Business.objects.filter(pk=cancelled.pk).update(gst_status="CANCELLED")
    cancelled.refresh_from_db()
    decision = risk_evaluation_run(business=cancelled, amount=100000)
    assert decision.outcome == "REJECT"
    assert "GST registration is cancelled" in decision.reasons


@pytest.mark.django_db
def test_credit_score_needs_a_business(borrower_client):
    assert borrower_client.get("/api/v1/businesses/me/credit-score").status_code == 409


@pytest.mark.django_db
def test_bounces_and_days_past_due_lower_the_score(borrower, borrower_client, officer):
    from apps.repayments.services import emi_bounce
    from tests.support.days import close_day, days_after
    from tests.support.lending import make_loan

    def factors(body):
        return {f["name"]: (f["value"], f["points"]) for f in body["factors"]}

    loan = make_loan(borrower)
    before = borrower_client.post("/api/v1/businesses/me/credit-score/recalculate").json()
    assert factors(before)["max_dpd"] == (0, 30)  # a loan repaid on time so far
    emi_bounce(installment_id=loan.installments.get(number=1).pk, code="04", actor=officer)
    close_day(days_after(loan, 1, 10))
    after = borrower_client.post("/api/v1/businesses/me/credit-score/recalculate").json()
    assert factors(after)["max_dpd"] == (10, -30)
    assert factors(after)["bounces"] == (1, -25)
    assert after["score"] == before["score"] - 60 - 25


@pytest.mark.django_db
def test_repayment_signals_are_one_grouped_query_per_chunk(django_assert_num_queries):
    from apps.repayments.selectors import repayment_signals
    from tests.support.lending import make_loan

    first, second = make_loan(), make_loan()
    make_loan(first.borrower)
    with django_assert_num_queries(1):
        signals = repayment_signals([first.business_id, second.business_id])
    assert signals[first.business_id] == {"loans": 2, "max_dpd": 0, "bounces": 0}
    assert signals[second.business_id]["loans"] == 1
