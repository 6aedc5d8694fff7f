"""The case page's actions: log a call, visit or note (with a promise to pay when the borrower
makes one), and give the case to another collector. Each form asks for what its service needs;
the service validates, moves the case and writes its history and the audit trail."""

import datetime

from constance import config
from django import forms
from django.utils.formats import date_format

from apps.accounts.models import User
from apps.collections.cases import case_action_log, cases_reassign
from apps.collections.models import CaseAction, CollectionCase
from apps.core.admin_pages import ActionForm
from apps.core.business_date import get_business_date
from apps.core.inr import inr
from apps.core.roles import Role
from apps.repayments.admin_forms import AmountField


def is_open(case: CollectionCase) -> bool:
    return case.is_open


def case_summary(case: CollectionCase) -> list[tuple[str, str]]:
    promise = (
        f"{inr(case.ptp_amount)} by {date_format(case.ptp_due_on)}" if case.ptp_amount is not None else "none pending"
    )
    return [
        ("Loan", case.loan.reference),
        ("Borrower's phone", case.loan.borrower.phone or "none"),
        ("Amount overdue", inr(case.amount_overdue)),
        ("DPD / bucket", f"{case.dpd} / {case.bucket.replace('_', '-')}"),
        ("Promise", promise),
        ("Business date", date_format(get_business_date())),
    ]


class CaseActionForm(ActionForm):
    type = forms.ChoiceField(choices=CaseAction.Type.choices, initial=CaseAction.Type.CALL)
    outcome = forms.ChoiceField(choices=CaseAction.Outcome.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    ptp_amount = AmountField(required=False, label="Promised amount (₹)", help_text="Only with a promise to pay.")
    ptp_due_on = forms.DateField(required=False, label="Promised by", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = get_business_date()
        latest = today + datetime.timedelta(days=config.PTP_MAX_DAYS)
        self.fields["ptp_due_on"].help_text = f"From {date_format(today)} to {date_format(latest)}."
        self.fields["ptp_amount"].help_text = f"Only with a promise to pay; at most {inr(self.obj.amount_overdue)}."

    def context(self):
        return {"summary": case_summary(self.obj)}

    def save(self, *, actor):
        data = self.cleaned_data
        action = case_action_log(
            case_id=self.obj.pk,
            actor=actor,
            type=data["type"],
            outcome=data["outcome"],
            notes=data["notes"],
            ptp_amount=data.get("ptp_amount"),
            ptp_due_on=data.get("ptp_due_on"),
        )
        if action.promise_id:
            promise = action.promise
            return f"Logged: {action}, with a promise of {inr(promise.amount)} by {date_format(promise.due_on)}."
        return f"Logged: {action}."


class CollectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.username


def active_collectors():
    return User.objects.filter(role=Role.COLLECTOR, is_active=True, is_frozen=False).order_by("username")


class CaseReassignForm(ActionForm):
    collector = CollectorChoiceField(queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = active_collectors()

    def context(self):
        return {"summary": case_summary(self.obj)}

    def save(self, *, actor):
        collector = self.cleaned_data["collector"]
        cases_reassign(case_ids=[self.obj.pk], collector_id=collector.pk, actor=actor)
        return f"The case is now {collector.username}'s."
