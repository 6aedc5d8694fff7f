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


@require_http_methods(["GET", "POST"])
def payment_page(request, intent_id):
    _sandbox_only()
    intent = PaymentIntent.objects.select_related("loan").filter(pk=intent_id).first()
    if intent is None:
        raise Http404("No such payment.")
    sent = None
    if request.method == "POST" and intent.status == PaymentIntent.Status.CREATED:
        outcome = "pay" if request.POST.get("outcome") == "pay" else "fail"
        sent = _send(request, *payment_event(intent, outcome))
    facts = [("Loan", intent.loan.reference), ("Method", intent.get_method_display()), ("Status", intent.status)]
    return render(
        request,
        "sandbox/rail_page.html",
        {
            "title": "Pay GST Credit",
            "amount": inr(intent.amount),
            "facts": facts,
            "open": intent.status == PaymentIntent.Status.CREATED,
            "choices": PAY_CHOICES,
            "sent": sent,
        },
    )


@require_http_methods(["GET", "POST"])
def mandate_page(request, mandate_id):
    _sandbox_only()
    mandate = Mandate.objects.select_related("loan", "bank_account").filter(pk=mandate_id).first()
    if mandate is None:
        raise Http404("No such mandate.")
    sent = None
    if request.method == "POST" and mandate.status == Mandate.Status.PENDING:
        outcome = "activate" if request.POST.get("outcome") == "activate" else "reject"
        sent = _send(request, *mandate_event(mandate, outcome))
    facts = [
        ("Loan", mandate.loan.reference),
        ("Type", mandate.get_type_display()),
        ("Up to", inr(mandate.max_amount)),
        ("From account", str(mandate.bank_account)),
        ("Status", mandate.status),
    ]
    return render(
        request,
        "sandbox/rail_page.html",
        {
            "title": "Authorise a mandate",
            "facts": facts,
            "open": mandate.status == Mandate.Status.PENDING,
            "choices": MANDATE_CHOICES,
            "sent": sent,
        },
    )


@require_http_methods(["GET", "POST"])
def payout_page(request, payout_id):
    """A payout the rail accepted and left PENDING (sandbox accounts ending 2222): its webhook
    says how it ended."""
    _sandbox_only()
    payout = Payout.objects.select_related("loan", "bank_account").filter(pk=payout_id).first()
    if payout is None:
        raise Http404("No such payout.")
    sent = None
    if request.method == "POST" and payout.status == Payout.Status.PENDING:
        outcome = "succeed" if request.POST.get("outcome") == "succeed" else "fail"
        sent = _send(request, *payout_event(payout, outcome, reason="returned by the beneficiary's bank"))
    facts = [
        ("Loan", payout.loan.reference),
        ("Reference", payout.reference),
        ("To account", str(payout.bank_account)),
        ("Status", payout.status),
    ]
    return render(
        request,
        "sandbox/rail_page.html",
        {
            "title": "A payout in flight",
            "amount": inr(payout.amount),
            "facts": facts,
            "open": payout.status == Payout.Status.PENDING,
            "choices": PAYOUT_CHOICES,
            "sent": sent,
        },
    )
