"""The loan page's actions for what ops do with money: record a payment that came in offline,
record a bounce, waive a charge. Each form asks for what its service needs and calls it; the
service decides, writes the ledger entry and the audit trail (apps/core/admin_pages.py runs them)."""

from django import forms
from django.db.models import F
from django.utils.formats import date_format
from django_fsm import can_proceed

from apps.core.admin_pages import ActionForm
from apps.core.business_date import get_business_date
from apps.core.errors import MIN_REASON_LENGTH, InvalidInput
from apps.core.inr import inr
from apps.core.money import RUPEES_TEXT, ZERO, to_decimal
from apps.loans.models import Installment
from apps.repayments.approvals import charge_waiver_request
from apps.repayments.models import NachReturnCode, OfflinePayment
from apps.repayments.services import (
    bounce_charge,
    bounce_would_default,
    charges_owed,
    emi_bounce,
    offline_payment_record,
)
from apps.repayments.services.offline import REFERENCE_FORMATS, parse_reference


class AmountField(forms.CharField):
    """Rupees as typed: digits with at most two decimals, more than zero (no sign, exponent,
    grouping commas or NaN: what the API's MoneyField takes)."""

    def to_python(self, value):
        text = super().to_python(value).strip()
        if text in self.empty_values:
            return None
        if not RUPEES_TEXT.fullmatch(text) or to_decimal(text) <= 0:
            raise forms.ValidationError('An amount in rupees, digits with at most two decimals, e.g. "12500.50".')
        return to_decimal(text)


def _unpaid(loan):
    return loan.installments.exclude(status=Installment.Status.PAID).order_by("number")


def describe(installment) -> str:
    return f"No. {installment.number}, due {date_format(installment.due_date)}: owes {inr(installment.owed)}"


class InstallmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, installment):
        return describe(installment)


class OfflinePaymentForm(ActionForm):
    method = forms.ChoiceField(choices=OfflinePayment.Method.choices)
    reference = forms.CharField(
        required=False,
        max_length=64,
        label="UTR or reference",
        help_text="; ".join(f"{method}: {description}" for method, (_, description) in REFERENCE_FORMATS.items()),
    )
    amount = AmountField(label="Amount received (₹)")
    received_on = forms.DateField(label="Date received", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = get_business_date()

    def clean(self):
        data = super().clean()
        if "method" in data and "reference" in data:
            try:
                data["reference"] = parse_reference(data["method"], data["reference"])
            except InvalidInput as exc:
                self.add_error("reference", exc.message)
        return data

    def context(self):
        loan = self.obj
        unpaid = list(_unpaid(loan))
        return {
            "summary": [
                ("Owed on the installments", inr(sum((i.owed for i in unpaid), ZERO))),
                ("Next installment", describe(unpaid[0]) if unpaid else "none"),
                ("Disbursed on", f"{date_format(loan.disbursed_on)}" if loan.disbursed_on else "not disbursed"),
                ("Business date", f"{date_format(get_business_date())}"),
            ]
        }

    def save(self, *, actor):
        data = self.cleaned_data
        receipt = offline_payment_record(
            loan_id=self.obj.pk,
            method=data["method"],
            reference=data["reference"],
            amount=data["amount"],
            received_on=data["received_on"],
            actor=actor,
            receipt_id=data["token"],
        )
        numbers = ", ".join(
            str(n)
            for n in receipt.repayments.order_by("installment__number").values_list("installment__number", flat=True)
        )
        reference = f" {receipt.reference}" if receipt.reference else ""
        return f"Recorded {receipt.method}{reference} of {inr(receipt.amount)}: applied to installment {numbers}."


class BounceForm(ActionForm):
    return_code = forms.ModelChoiceField(
        queryset=NachReturnCode.objects.filter(is_active=True),
        label="NACH return code",
        empty_label="— the code on the return file —",  # chosen, never defaulted
    )
    installment = InstallmentChoiceField(queryset=Installment.objects.none(), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unpaid = _unpaid(self.obj)
        self.fields["installment"].queryset = unpaid
        self.fields["installment"].initial = unpaid.values_list("pk", flat=True).first()  # the next due

    def context(self):
        loan = self.obj
        charge, gst = bounce_charge(loan.product)
        context = {
            "summary": [
                ("Bounce charge", inr(charge)),
                (f"GST at {loan.product.gst_rate_pct}%", inr(gst)),
                ("Added to the installment's charges", inr(charge + gst)),
                ("Bounces so far", loan.bounce_count),
            ]
        }
        if bounce_would_default(loan):
            context["warning"] = (
                f"This will be bounce number {loan.bounce_count + 1}: recording it DEFAULTS the loan "
                f"(now {loan.status})."
            )
        return context

    def save(self, *, actor):
        data = self.cleaned_data
        bounce = emi_bounce(installment_id=data["installment"].pk, code=data["return_code"].code, actor=actor)
        loan = bounce.loan
        return (
            f"Bounce {bounce.return_code_id} recorded on installment {bounce.installment.number}: "
            f"{inr(bounce.charge + bounce.gst)} charged; the loan is {loan.status}."
        )


class ChargeInstallmentField(forms.ModelChoiceField):
    def label_from_instance(self, installment):
        owed = inr(charges_owed(installment))
        return f"No. {installment.number}, due {date_format(installment.due_date)}: {owed} of charges owed"


class WaiverForm(ActionForm):
    installment = ChargeInstallmentField(queryset=Installment.objects.none(), empty_label=None)
    amount = AmountField(label="Amount to waive (₹)")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        min_length=MIN_REASON_LENGTH,
        max_length=1000,
        help_text="Kept in the audit trail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        owing = self.obj.installments.filter(penalty_due__gt=F("penalty_paid")).order_by("number")
        self.fields["installment"].queryset = owing
        first = owing.first()
        if first is not None:
            self.fields["installment"].initial = first.pk
            self.fields["amount"].initial = charges_owed(first)

    def context(self):
        return {"summary": [("Charges owed on the loan", inr(self.obj.outstanding_penalty))]}

    def save(self, *, actor):
        # Four eyes: asked here, applied when an ADMIN who did not ask approves it (Approvals).
        data = self.cleaned_data
        installment = data["installment"]
        charge_waiver_request(
            loan_id=self.obj.pk,
            installment_id=installment.pk,
            amount=data["amount"],
            reason=data["reason"],
            actor=actor,
            request_id=data["token"],  # the form sent twice asks once
        )
        return (
            f"Asked to waive {inr(data['amount'])} of charges on installment {installment.number}: it is applied "
            "when an ADMIN other than you approves it under Worklists → Approvals."
        )


def takes_payments(loan) -> bool:
    return loan.is_live


def takes_bounce(loan) -> bool:
    return can_proceed(loan.record_bounce)


def owes_charges(loan) -> bool:
    return loan.is_live and loan.outstanding_penalty > 0
