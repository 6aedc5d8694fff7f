"""The forms of the console pages that belong to no one model (apps/reports/admin.py)."""

from decimal import Decimal

from django import forms

from apps.core.admin_pages import ActionForm
from apps.core.errors import MIN_REASON_LENGTH
from apps.core.inr import inr
from apps.core.money import MONEY_DECIMALS, MONEY_DIGITS
from apps.loans.approvals import REASON_MAX, credit_limit_override_request
from apps.loans.limits import limits_of


class LimitOverrideForm(ActionForm):
    """Ask for an override of a business's sanctioned limit (four eyes: applied when an ADMIN
    who did not ask approves it). A blank amount asks to lift the override."""

    amount = forms.DecimalField(
        label="New sanctioned limit (₹)",
        required=False,
        min_value=Decimal(0),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_DECIMALS,
        help_text="Leave blank to lift an override and return to the limit the grade and bank data give.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        min_length=MIN_REASON_LENGTH,
        max_length=REASON_MAX,
        help_text="The approver reads it; kept in the audit trail.",
    )

    def context(self):
        limits = limits_of(self.obj)
        return {
            "summary": [
                ("Sanctioned limit now", f"{inr(limits['sanctioned_limit'])} ({limits['source']})"),
                ("Utilised", inr(limits["utilised"])),
            ]
        }

    def save(self, *, actor) -> str:
        data = self.cleaned_data
        credit_limit_override_request(
            business=self.obj, amount=data["amount"], reason=data["reason"], actor=actor, request_id=data["token"]
        )
        asked = "to lift the override" if data["amount"] is None else f"a limit of {inr(data['amount'])}"
        return f"Asked for {asked}: it applies when an ADMIN other than you approves it under Worklists → Approvals."
