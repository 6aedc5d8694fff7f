"""The sandbox aggregator's pages (SANDBOX only, else 404): the consent approval page a borrower
is sent to, the decisions it posts (approve, reject; pause, resume, revoke stand for the
borrower's later choices), and the aggregator's JWKS. They stand for the aggregator's own site,
so they are not our API: no login, no CSRF (apps/banking/sandbox.py does the work)."""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from apps.banking.models import SandboxAaConsent
from apps.banking.providers import SANDBOX_BANKS, sandbox_jwks
from apps.banking.sandbox import DECISIONS, sandbox_consent_decide
from apps.core.errors import DomainError

BANK_NAMES = {bank.id: bank.name for bank in SANDBOX_BANKS}


def _sandbox_only():
    if not settings.SANDBOX:
        raise Http404("The sandbox aggregator exists only in the sandbox.")


@require_GET
def jwks(request):
    _sandbox_only()
    return JsonResponse(sandbox_jwks())


@require_GET
def consent_page(request, handle):
    _sandbox_only()
    row = SandboxAaConsent.objects.filter(consent_handle=handle).first()
    if row is None:
        raise Http404("No such consent.")
    allowed = [decision for decision, (sources, _) in DECISIONS.items() if row.status in sources]
    choices = [(d, d.capitalize(), "go" if d in ("approve", "resume") else "stop") for d in allowed]
    if row.status == "ACTIVE":
        switch = "restore" if row.outage else "outage"
        choices.append((switch, "Bring the bank back" if row.outage else "Take the bank down", "stop"))
    bank = BANK_NAMES.get(row.bank, row.bank)
    facts = [("Lender", "GST Credit"), ("Bank", bank), ("Valid until", f"{row.expires_at:%d %b %Y}")]
    context = {
        "title": f"Share your {bank} statements",
        "facts": [*facts, ("Status", row.status + (" · bank down" if row.outage else ""))],
        "choices": choices,
        "handle": handle,
    }
    return render(request, "sandbox/aa_consent.html", context)


@csrf_exempt
@require_POST
def decide(request, handle, decision):
    _sandbox_only()
    try:
        row = sandbox_consent_decide(consent_handle=handle, decision=decision)
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        return JsonResponse({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    if request.POST.get("from_page"):
        return HttpResponseRedirect(f"/sandbox/aa/consents/{handle}")
    return JsonResponse({"consent_handle": row.consent_handle, "status": row.status})
