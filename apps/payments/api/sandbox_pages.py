"""The sandbox rail's pages (SANDBOX only, else 404): a payment intent's page, where the borrower
pays or declines, a mandate's authorisation page, and a pending payout's page, where the rail's
operator says whether the beneficiary's bank paid it. Each choice sends this server the rail's
signed webhook through the real endpoint (apps/payments/sandbox.py), so `make run` shows the
whole loop: intent → page → webhook → worker → repayment."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from apps.core.inr import inr
from apps.loans.models import Payout
from apps.payments.models import Mandate, PaymentIntent
from apps.payments.sandbox import callback_base, deliver, mandate_event, payment_event, payout_event

PAY_CHOICES = [("pay", "Pay", "go"), ("fail", "Decline", "stop")]
MANDATE_CHOICES = [("activate", "Authorise", "go"), ("reject", "Reject", "stop")]
PAYOUT_CHOICES = [("succeed", "Paid to the beneficiary", "go"), ("fail", "Bank returned it", "stop")]


def _sandbox_only():
    if not settings.SANDBOX:
        raise Http404("The sandbox rail exists only in the sandbox.")


def _send(request, event_type: str, data: dict) -> dict:
    status, answer = deliver(callback_base(request), event_type, data)
    return {"type": event_type, "status": status, "ok": status == 200, "answer": answer}


def _rail_page(request, *, title, choices, is_open, event_for, facts, amount=None):
    """The rail's page: its facts, and while it is open the two choices (go, stop); a choice
    sends the event `event_for(outcome)` names."""
    sent = None
    if request.method == "POST" and is_open:
        go, stop = choices[0][0], choices[1][0]
        outcome = go if request.POST.get("outcome") == go else stop
        sent = _send(request, *event_for(outcome))
    context = {"title": title, "amount": amount, "facts": facts, "open": is_open, "choices": choices, "sent": sent}
    return render(request, "sandbox/rail_page.html", context)


def _one(queryset, pk, missing: str):
    _sandbox_only()
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404(missing)
    return row


@require_http_methods(["GET", "POST"])
def payment_page(request, intent_id):
    intent = _one(PaymentIntent.objects.select_related("loan"), intent_id, "No such payment.")
    return _rail_page(
        request,
        title="Pay GST Credit",
        amount=inr(intent.amount),
        facts=[("Loan", intent.loan.reference), ("Method", intent.get_method_display()), ("Status", intent.status)],
        is_open=intent.status == PaymentIntent.Status.CREATED,
        choices=PAY_CHOICES,
        event_for=lambda outcome: payment_event(intent, outcome),
    )


@require_http_methods(["GET", "POST"])
def mandate_page(request, mandate_id):
    mandate = _one(Mandate.objects.select_related("loan", "bank_account"), mandate_id, "No such mandate.")
    return _rail_page(
        request,
        title="Authorise a mandate",
        facts=[
            ("Loan", mandate.loan.reference),
            ("Type", mandate.get_type_display()),
            ("Up to", inr(mandate.max_amount)),
            ("From account", str(mandate.bank_account)),
            ("Status", mandate.status),
        ],
        is_open=mandate.status == Mandate.Status.PENDING,
        choices=MANDATE_CHOICES,
        event_for=lambda outcome: mandate_event(mandate, outcome),
    )


@require_http_methods(["GET", "POST"])
def payout_page(request, payout_id):
    """A payout the rail accepted and left PENDING (sandbox accounts ending 2222): its webhook
    says how it ended."""
    payout = _one(Payout.objects.select_related("loan", "bank_account"), payout_id, "No such payout.")
    return _rail_page(
        request,
        title="A payout in flight",
        amount=inr(payout.amount),
        facts=[
            ("Loan", payout.loan.reference),
            ("Reference", payout.reference),
            ("To account", str(payout.bank_account)),
            ("Status", payout.status),
        ],
        is_open=payout.status == Payout.Status.PENDING,
        choices=PAYOUT_CHOICES,
        event_for=lambda outcome: payout_event(payout, outcome, reason="returned by the beneficiary's bank"),
    )
