"""The scoring rule set: a pure function of plain inputs, so it is property-tested in isolation.

Weights are live settings (django-constance, RISK_* keys) that ops can tune in the admin;
the rule-set version is stored on every score so a score can be explained later.
"""

from dataclasses import dataclass
from decimal import Decimal

RULE_SET_VERSION = "2026.11"
MIN_SCORE, MAX_SCORE = 300, 900
GRADES = [(780, "A"), (700, "B"), (620, "C"), (540, "D"), (MIN_SCORE, "E")]
# The grades, best first: what loan products price (LoanProduct.rate_bands).
GRADE_LETTERS = tuple(grade for _, grade in GRADES)


@dataclass(frozen=True)
class Inputs:
    kyc_status: str
    gst_status: str
    gst_age_days: int | None
    declared_turnover: int | None
    invoices_verified: int = 0
    invoices_rejected: int = 0
    distinct_buyers: int = 0
    has_loans: bool = False
    max_dpd: int = 0
    bounces: int = 0
    devices: int = 0
    untrusted_devices: int = 0
    # Banking conduct, from the cash-flow summary of the business's bank data (apps/banking).
    bank_data: bool = False
    bank_bounces: int = 0
    gst_turnover_ratio: Decimal | None = None
    bank_ratio_low: bool = False
    bank_emi_room: bool = True


def grade_for(score: int) -> str:
    return next(grade for floor, grade in GRADES if score >= floor)


def _factor(name, value, points, reason):
    return {"name": name, "value": value, "points": int(points), "reason": reason}


def evaluate_rules(inputs: Inputs, w: dict) -> tuple[int, str, list[dict]]:
    factors = []
    kyc_points = {"VERIFIED": w["KYC_VERIFIED"], "MANUAL_REVIEW": 0, "PENDING": -w["KYC_PENDING"]}.get(
        inputs.kyc_status, -w["KYC_REJECTED"]
    )
    factors.append(_factor("kyc", inputs.kyc_status, kyc_points, f"KYC is {inputs.kyc_status}"))
    if inputs.gst_status == "CANCELLED":
        factors.append(_factor("gst_status", "CANCELLED", -w["GST_CANCELLED"], "GST registration is cancelled"))
    age = inputs.gst_age_days
    if age is None:
        factors.append(_factor("gst_age", None, 0, "GST registration date unknown"))
    elif age < 365:
        factors.append(_factor("gst_age", age, -w["GST_AGE"], "GST registration under a year old"))
    elif age >= 3 * 365:
        factors.append(_factor("gst_age", age, w["GST_AGE"], "GST registration three years or older"))
    else:
        factors.append(_factor("gst_age", age, 0, "GST registration one to three years old"))
    turnover = inputs.declared_turnover
    if turnover is None:
        factors.append(_factor("turnover", None, 0, "no turnover declared"))
    elif turnover >= 10_000_000:
        factors.append(_factor("turnover", turnover, w["TURNOVER"], "declared turnover of a crore or more"))
    elif turnover >= 2_000_000:
        factors.append(_factor("turnover", turnover, w["TURNOVER"] // 2, "declared turnover of 20 lakh or more"))
    else:
        factors.append(_factor("turnover", turnover, -w["TURNOVER"] // 2, "declared turnover under 20 lakh"))
    history = min(inputs.invoices_verified * w["PER_INVOICE"], w["INVOICE_CAP"]) + min(inputs.distinct_buyers, 5) * 2
    factors.append(
        _factor(
            "invoices",
            inputs.invoices_verified,
            history,
            f"{inputs.invoices_verified} verified invoices, {inputs.distinct_buyers} buyers",
        )
    )
    if inputs.invoices_rejected:
        factors.append(
            _factor(
                "disputes",
                inputs.invoices_rejected,
                -min(inputs.invoices_rejected * 20, 60),
                f"{inputs.invoices_rejected} invoices failed GST verification",
            )
        )
    if inputs.has_loans:
        dpd = inputs.max_dpd
        points = w["CLEAN_REPAYMENT"] if dpd == 0 else -30 if dpd <= 30 else -80 if dpd <= 90 else -w["NPA"]
        factors.append(_factor("max_dpd", dpd, points, f"worst days past due {dpd}"))
    if inputs.bounces:
        factors.append(
            _factor("bounces", inputs.bounces, -min(inputs.bounces * w["PER_BOUNCE"], 100), f"{inputs.bounces} bounces")
        )
    if inputs.untrusted_devices:
        factors.append(_factor("device", inputs.untrusted_devices, -w["UNTRUSTED_DEVICE"], "a new or untrusted device"))
    elif inputs.devices:
        factors.append(_factor("device", inputs.devices, 10, "known, trusted devices only"))
    factors.append(_banking_factor(inputs, w))
    raw = w["BASE"] + sum(f["points"] for f in factors)
    score = max(MIN_SCORE, min(MAX_SCORE, raw))
    return score, grade_for(score), factors


def _banking_factor(inputs: Inputs, w: dict) -> dict:
    """Shared bank data with no bounces earns points; bounced debits, credits well below the
    GST-declared turnover, and EMIs that already take the whole surplus take them away."""
    if not inputs.bank_data:
        return _factor("banking", None, 0, "no bank data shared")
    bounces = inputs.bank_bounces
    points = w["BANKING"] if not bounces else -min(bounces * w["BANK_BOUNCE"], 80)
    notes = [f"{bounces} bounced debits" if bounces else "no bounced debits"]
    if inputs.bank_ratio_low and inputs.gst_turnover_ratio is not None:
        points -= w["BANKING"]
        notes.append(f"bank credits {inputs.gst_turnover_ratio:.0%} of declared turnover")
    if not inputs.bank_emi_room:
        points -= w["BANKING"]
        notes.append("existing EMIs take the whole surplus")
    return _factor("banking", bounces, points, "bank data: " + "; ".join(notes))
