"""Plays the sandbox payment rail from a shell: sends this server the signed webhook the rail
would send, through the real endpoint (the rail's pages at /sandbox/rail/... do the same for a
borrower in the browser).

    manage.py sandbox_rail pay <intent id> [--amount 1500.00] [--utr UTR...] [--url http://127.0.0.1:8000]
    manage.py sandbox_rail fail <intent id> [--code U30]      (a NACH code on a mandate debit bounces it)
    manage.py sandbox_rail activate <mandate id>   /   reject <mandate id>
    manage.py sandbox_rail payout-succeed <loan id or payout reference> [--utr UTR...]
    manage.py sandbox_rail payout-fail <loan id or payout reference> [--reason "account frozen"]

Only with SANDBOX on: it signs with the sandbox secret (docs/sandbox.md).
"""

import uuid

from django.core.management.base import BaseCommand, CommandError

from apps.loans.models import Payout
from apps.payments.models import Mandate, PaymentIntent
from apps.payments.sandbox import SandboxOnly, deliver, mandate_event, payment_event, payout_event


class Command(BaseCommand):
    help = "Send this server the sandbox rail's signed webhook for a payment intent, a mandate or a payout."

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
        if outcome.startswith("payout-"):
            event_type, data = self._payout(outcome, intent_id, utr, reason)
        elif outcome in ("activate", "reject"):
            mandate = Mandate.objects.filter(pk=intent_id).first()
            if mandate is None:
                raise CommandError(f"No mandate {intent_id}.")
            event_type, data = mandate_event(mandate, outcome)
        else:
            intent = PaymentIntent.objects.filter(pk=intent_id).first()
            if intent is None:
                raise CommandError(f"No payment intent {intent_id}.")
            event_type, data = payment_event(intent, outcome, amount=amount, utr=utr or "", code=code)
        try:
            status, answer = deliver(url, event_type, data)
        except SandboxOnly as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{event_type} {answer.split(':', 1)[0]}: {status} {answer.split(':', 1)[1].strip()}")

    def _payout(self, outcome, target, utr, reason) -> tuple[str, dict]:
        payout = Payout.objects.filter(reference=target).first()
        if payout is None:
            try:
                payout = Payout.objects.filter(loan_id=uuid.UUID(target)).first()
            except ValueError:
                payout = None
        if payout is None:
            raise CommandError(f"No payout for {target}.")
        return payout_event(payout, outcome.removeprefix("payout-"), utr=utr or "", reason=reason)
