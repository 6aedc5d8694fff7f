"""Plays the sandbox payment rail: sends this server the signed webhook the rail would send when
a borrower pays (or fails to pay) a payment intent, through the real endpoint.

    manage.py sandbox_rail pay <intent id> [--amount 1500.00] [--utr UTR...] [--url http://127.0.0.1:8000]
    manage.py sandbox_rail fail <intent id> [--code U30]      (a NACH code on a mandate debit bounces it)
    manage.py sandbox_rail activate <mandate id>   /   reject <mandate id>
    manage.py sandbox_rail payout-succeed <loan id or payout reference> [--utr UTR...]
    manage.py sandbox_rail payout-fail <loan id or payout reference> [--reason "account frozen"]

Only with SANDBOX on: it signs with the sandbox secret (docs/sandbox.md).
"""

import json
import time
import urllib.request
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.signatures import sign
from apps.loans.models import Payout
from apps.payments.models import Mandate, PaymentIntent


class Command(BaseCommand):
    help = "Send this server the sandbox rail's signed webhook for a payment intent."

    def add_arguments(self, parser):
        parser.add_argument("outcome", choices=["pay", "fail", "activate", "reject", "payout-succeed", "payout-fail"])
        parser.add_argument(
            "intent_id",
            help="the intent (pay, fail), the mandate (activate, reject), the loan or payout reference (payout-…)",
        )
        parser.add_argument("--amount", help="rupees received (default: the intent's amount)")
        parser.add_argument("--utr", help="the bank reference (default: a new one)")
        parser.add_argument("--code", default="U30", help="the failure's return code")
        parser.add_argument("--reason", default="beneficiary account frozen", help="a payout failure's reason")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="this server, as the rail reaches it")

    def handle(self, *args, outcome, intent_id, amount, utr, code, url, reason="", **options):
        if not settings.SANDBOX:
            raise CommandError("The sandbox rail plays only with SANDBOX on.")
        if outcome.startswith("payout-"):
            self._payout(url, outcome, intent_id, utr, reason)
            return
        if outcome in ("activate", "reject"):
            mandate = Mandate.objects.filter(pk=intent_id).first()
            if mandate is None:
                raise CommandError(f"No mandate {intent_id}.")
            kind = "mandate.activated" if outcome == "activate" else "mandate.rejected"
            umrn = "SBXUMRN" + uuid.uuid4().hex[:12].upper()
            self._send(url, kind, {"mandate_id": str(mandate.pk), "umrn": umrn})
            return
        intent = PaymentIntent.objects.filter(pk=intent_id).first()
        if intent is None:
            raise CommandError(f"No payment intent {intent_id}.")
        if outcome == "pay":
            data = {
                "intent_id": str(intent.pk),
                "amount": amount or str(intent.amount),
                "utr": utr or "SBXUTR" + uuid.uuid4().hex[:16].upper(),
            }
        else:
            data = {"intent_id": str(intent.pk), "return_code": code}
        self._send(url, f"payment.{'succeeded' if outcome == 'pay' else 'failed'}", data)

    def _payout(self, url, outcome, target, utr, reason):
        payout = Payout.objects.filter(reference=target).first()
        if payout is None:
            try:
                payout = Payout.objects.filter(loan_id=uuid.UUID(target)).first()
            except ValueError:
                payout = None
        if payout is None:
            raise CommandError(f"No payout for {target}.")
        if outcome == "payout-succeed":
            data = {"reference": payout.reference, "utr": utr or "SBXPAY" + uuid.uuid4().hex[:16].upper()}
            self._send(url, "payout.succeeded", data)
        else:
            self._send(url, "payout.failed", {"reference": payout.reference, "reason": reason})

    def _send(self, url, event_type, data):
        event = {"id": f"evt_sbx_{uuid.uuid4().hex}", "type": event_type, "created": int(time.time()), "data": data}
        body = json.dumps(event).encode()
        request = urllib.request.Request(  # noqa: S310 (the operator's own server)
            url.rstrip("/") + "/api/v1/webhooks/payments",
            data=body,
            headers={"Content-Type": "application/json", "X-Signature": sign(settings.PAYMENT_WEBHOOK_SECRET, body)},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            self.stdout.write(f"{event['type']} {event['id']}: {response.status} {response.read().decode()}")
