"""Each fraud and velocity rule on its own: one hit, the misses around it (plain facts, no database)."""

import datetime
from decimal import Decimal

import pytest

from apps.risk import fraud_rules as r
from apps.risk.fraud_rules import Facts

T = {
    "FRAUD_INVOICE_TURNOVER_RATIO": Decimal("0.5"),
    "FRAUD_INTENT_BURST_COUNT": 5,
    "FRAUD_INTENT_BURST_MINUTES": 10,
    "FRAUD_OTP_PHONES_PER_IP": 10,
    "FRAUD_OTP_BURST_MINUTES": 10,
    "FRAUD_NEW_DEVICE_MINUTES": 30,
    "FRAUD_NEW_ACCOUNT_HOURS": 24,
}
SANCTION = Facts(action="loan.sanction", business_id="b1", user_id="u1", pan="ABCDE1234F", invoice_id="i1")
MINUTES = datetime.timedelta(minutes=1)


def test_shared_identity_hits_on_a_shared_pan_or_device_and_names_them():
    hit = r.shared_identity(Facts(**{**SANCTION.__dict__, "businesses_sharing_pan": ("b2",)}), T)
    assert (hit.rule, hit.decision, hit.subject_type, hit.subject_id) == ("shared_identity", "REVIEW", "business", "b1")
    assert hit.evidence == {"pan_shared_with": ["b2"]}
    both = r.shared_identity(
        Facts(**{**SANCTION.__dict__, "businesses_sharing_pan": ("b2",), "businesses_sharing_device": ("b3",)}), T
    )
    assert both.evidence == {"pan_shared_with": ["b2"], "device_shared_with": ["b3"]}
    assert r.shared_identity(SANCTION, T) is None


@pytest.mark.parametrize(
    ("buyer", "hits"),
    [("27ABCDE1234F1Z5", True), ("29abcde1234f1Z5", True), ("27ZZZZZ9999Z1Z5", False), ("", False)],
)
def test_circular_trading_is_a_buyer_gstin_carrying_the_sellers_pan(buyer, hits):
    hit = r.circular_trading(Facts(**{**SANCTION.__dict__, "buyer_gstin": buyer}), T)
    assert (hit is not None) == hits
    if hits:
        assert (hit.subject_type, hit.subject_id, hit.decision) == ("invoice", "i1", "REVIEW")


@pytest.mark.parametrize(
    ("amount", "turnover", "hits"),
    [("500000.01", "1000000", True), ("500000.00", "1000000", False), ("9", None, False), ("9", "0", False)],
)
def test_an_invoice_above_half_the_declared_turnover_is_held(amount, turnover, hits):
    facts = Facts(
        **{
            **SANCTION.__dict__,
            "invoice_amount": Decimal(amount),
            "declared_turnover": Decimal(turnover) if turnover else None,
        }
    )
    hit = r.invoice_above_turnover(facts, T)
    assert (hit is not None) == hits
    if hits:
        assert hit.evidence == {"invoice_amount": amount, "declared_turnover": turnover, "ratio_allowed": "0.5"}


def test_a_burst_of_payment_intents_is_blocked_for_its_window():
    assert r.payment_intent_burst(Facts(action="payment_intent.open", user_id="u1", recent_intents=5), T) is None
    hit = r.payment_intent_burst(Facts(action="payment_intent.open", user_id="u1", recent_intents=6), T)
    assert (hit.decision, hit.subject_type, hit.subject_id, hit.window) == (
        "BLOCK", "user", "u1", datetime.timedelta(minutes=10)
    )  # fmt: skip


def test_otps_for_many_phones_from_one_address_are_blocked():
    assert r.otp_burst(Facts(action="otp.send", ip="10.0.0.1", phones_from_ip=10), T) is None
    assert r.otp_burst(Facts(action="otp.send", ip="", phones_from_ip=99), T) is None
    hit = r.otp_burst(Facts(action="otp.send", ip="10.0.0.1", phones_from_ip=11), T)
    assert (hit.decision, hit.subject_type, hit.subject_id) == ("BLOCK", "ip", "10.0.0.1")


@pytest.mark.parametrize(
    ("age", "earlier", "hits"), [(5, True, True), (30, True, False), (5, False, False), (None, True, False)]
)
def test_a_sanction_from_a_device_that_replaced_another_minutes_ago_is_held(age, earlier, hits):
    facts = Facts(
        **{
            **SANCTION.__dict__,
            "device_id": "d1",
            "device_age": age * MINUTES if age is not None else None,
            "other_devices_before": earlier,
        }
    )
    hit = r.new_device_sanction(facts, T)
    assert (hit is not None) == hits
    if hits:
        assert (hit.subject_type, hit.subject_id, hit.evidence["device_age_minutes"]) == ("device", "d1", 5)


@pytest.mark.parametrize(
    ("hours", "earlier", "hits"), [(2, True, True), (24, True, False), (2, False, False), (None, True, False)]
)
def test_a_payout_to_an_account_that_replaced_another_today_is_held(hours, earlier, hits):
    facts = Facts(
        **{
            **SANCTION.__dict__,
            "bank_account_id": "a1",
            "bank_account_age": hours * 60 * MINUTES if hours is not None else None,
            "other_accounts_before": earlier,
        }
    )
    hit = r.payout_to_new_account(facts, T)
    assert (hit is not None) == hits
    if hits:
        assert (hit.subject_type, hit.subject_id) == ("bank_account", "a1")


def test_evaluate_runs_only_the_actions_rules():
    facts = Facts(action="otp.send", ip="10.0.0.1", phones_from_ip=11, businesses_sharing_pan=("b2",))
    assert [hit.rule for hit in r.evaluate(facts, T)] == ["otp_burst"]
    assert r.evaluate(Facts(action="unknown"), T) == []
