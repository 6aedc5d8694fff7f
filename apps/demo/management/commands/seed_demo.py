"""Idempotent demo data: staff logins, a book with three months of history (apps/demo/book.py),
and a borrower with a verified business, invoices, a loan taken today and bank data shared
through the sandbox account aggregator (three banks, one sync: the 360's bank panel).

Everything is made through the same services as the API, so the demo books balance and the
audit trail shows how the data came to be. Running it twice changes nothing.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services import otp_send, user_create_staff
from apps.audit.approvals import approval_approve
from apps.banking.models import BankSync, Consent
from apps.banking.sandbox import sandbox_consent_decide
from apps.banking.services import consents_request
from apps.banking.sync import bank_sync_start
from apps.core.business_date import calendar_today, get_business_date, last_closed_day
from apps.core.roles import Role
from apps.demo.book import HISTORY_DAYS, demo_book_build
from apps.invoices.services import invoice_add
from apps.kyc.bank_accounts import bank_account_add
from apps.kyc.models import Business
from apps.kyc.services import business_onboard, collateral_create
from apps.loans.approvals import credit_limit_override_request
from apps.loans.models import CreditLimit, Loan
from apps.loans.services import loan_sanction, offers_generate
from apps.reports.services import daily_metrics_compute
from apps.risk.fraud import Blocked
from apps.risk.models import RiskAlert

DEMO_BORROWER_PHONE = "+919812345678"
# Where the demo loan pays out: the sandbox penny drop verifies it (docs/sandbox.md).
DEMO_BANK_ACCOUNT = "50100024680135"
# The demo business's sanctioned limit, set by the credit committee above what its bank data alone supports.
DEMO_LIMIT = Decimal("2500000.00")
DEMO_LIMIT_REASON = "Credit committee: GST history and buyers justify more than bank data alone"
# The banks the demo business shares its statements from (docs/sandbox.md, "Account aggregator").
DEMO_BANKS = ["HDFC", "ICICI", "SBI"]
# A documentation address (RFC 5737): the demo's SMS-pumping attempt comes from it.
SMS_PUMPING_IP = "203.0.113.7"
STAFF = [
    ("admin", "admin-demo-pass", Role.ADMIN),
    ("officer", "officer-demo-pass", Role.OFFICER),
    ("collector", "collector-demo-pass", Role.COLLECTOR),
    ("collector2", "collector2-demo-pass", Role.COLLECTOR),
]
# Checksum-valid sandbox identifiers (docs/sandbox.md): they verify in the sandbox.
DEMO_BUSINESS = {
    "legal_name": "Shakti Fabrics Private Limited",
    "owner_name": "Shakti Rao",
    "gstin": "27AAKCS1234M1Z3",
    "pan": "AAKCS1234M",
    "aadhaar": "234123412346",
    "address": "Plot 7, Bhiwandi, Maharashtra",
    # What its bank statements bear out (the sandbox aggregator's for this PAN: about 65 lakh of
    # receipts a year): a turnover far above them is a red flag that sends every new application
    # of the demo borrower to review (RISK_BANK_MIN_GST_RATIO).
    "declared_turnover": Decimal("10000000.00"),
}


class Command(BaseCommand):
    help = "Load idempotent demo data (staff logins, a borrower with invoices and a loan)."

    def handle(self, *args, **options):
        # Demo logins have published passwords: they exist only where nothing real does.
        if settings.PRODUCTION or not settings.SANDBOX:
            self.stdout.write("demo data is for the sandbox only (SANDBOX true, not production): nothing seeded")
            return
        # The book with a history first, on a fresh database only: it walks the business date
        # forward from the past, which is refused once any day has been closed.
        self._staff()  # first: the collectors take the cases the book's nights open
        if last_closed_day() is None and not Loan.objects.exists():
            made = demo_book_build(end=calendar_today(), stdout=self.stdout)
            self.stdout.write(f"demo book: {made} loans over {HISTORY_DAYS} days")
        self._today()

    def _sms_pumping(self):
        """Something for the fraud queue: OTPs asked for eleven phones from one address, the
        last refused by the otp_burst rule (an SMS-pumping attempt), once."""
        if RiskAlert.objects.exists():
            return
        for n in range(1, 12):
            try:
                otp_send(phone=f"+9198990000{n:02d}", ip=SMS_PUMPING_IP)
            except Blocked:
                break

    def _bank_data(self, business, borrower):
        """The demo business's bank data: consents asked at three banks through the sandbox
        aggregator, approved there as the borrower would, and one sync run here. After the
        loan, so today's offer is priced as it always was. Outside any transaction (the
        aggregator is never called inside one); skipped once a sync has finished."""
        if business.kyc_status != Business.KycStatus.VERIFIED:
            return
        if business.bank_syncs.filter(status__in=[BankSync.Status.DONE, BankSync.Status.PARTIAL]).exists():
            return
        consents = consents_request(actor=borrower, banks=DEMO_BANKS, fi_types=["DEPOSIT"], months=12)
        for consent in consents:
            if consent.status == Consent.Status.PENDING:
                sandbox_consent_decide(consent_handle=consent.consent_handle, decision="approve")
        sync, _ = bank_sync_start(business=business, actor=None, run_now=True)
        self.stdout.write(f"demo bank data: {len(consents)} consents, sync {sync.status}")

    def _limit(self, business):
        """Its bank data alone supports about 3.6 lakh (the affordable EMI over six months), less
        than the demo borrower already owes: the credit committee's override gives it room to
        apply again, as ops would (apps/loans/limits.py). Set once."""
        if CreditLimit.objects.filter(business=business).exists():
            return
        # Four eyes, as in the console: the officer asks, the admin approves.
        officer, admin = User.objects.get(username="officer"), User.objects.get(username="admin")
        asked = credit_limit_override_request(
            business=business, amount=DEMO_LIMIT, reason=DEMO_LIMIT_REASON, actor=officer
        )
        approval_approve(approval_id=asked.pk, actor=admin, reason="Agreed at the credit committee")

    @transaction.atomic
    def _staff(self):
        for username, password, role in STAFF:
            if not User.objects.filter(username=username).exists():
                user_create_staff(username=username, password=password, role=role)

    def _today(self):
        # No transaction around this: the services it calls ask outside parties (the sandbox
        # KYC, GST and payout rails) with none open, and each step is skipped once done.
        borrower, _ = User.objects.get_or_create(
            username=DEMO_BORROWER_PHONE, defaults={"role": Role.BORROWER, "phone": DEMO_BORROWER_PHONE}
        )
        business = Business.objects.filter(owner=borrower).first()
        if business is None:
            business = business_onboard(actor=borrower, **DEMO_BUSINESS)
            collateral_create(
                business=business,
                type="PROPERTY",
                description="Warehouse, Bhiwandi",
                value=Decimal("2500000.00"),
                actor=borrower,
            )
        if not business.invoices.exists() and business.kyc_status == Business.KycStatus.VERIFIED:
            today = get_business_date()
            for number, amount in (("SF/2026/101", "450000.00"), ("SF/2026/102", "180000.00")):
                invoice_add(
                    actor=borrower,
                    invoice_number=number,
                    invoice_date=today - datetime.timedelta(days=10),
                    due_date=today + datetime.timedelta(days=80),
                    buyer_gstin="29AAACR5055K1Z3",
                    buyer_name="Reliable Retail Limited",
                    amount=Decimal(amount),
                )
        if not business.bank_accounts.exists() and business.kyc_status == Business.KycStatus.VERIFIED:
            bank_account_add(
                business=business,
                account_number=DEMO_BANK_ACCOUNT,
                ifsc="HDFC0000240",
                holder_name=business.legal_name,
                actor=borrower,
            )
        if not Loan.objects.filter(borrower=borrower).exists():
            invoice = business.invoices.filter(status="VERIFIED").order_by("invoice_number").first()
            if invoice is not None:
                offers = offers_generate(invoice_id=invoice.pk, actor=borrower)
                loan_sanction(offer_id=offers[0].pk, actor=borrower)
        self._bank_data(business, borrower)
        self._limit(business)
        self._sms_pumping()
        # The dashboard reads the day's figures, which the nightly job would otherwise write.
        daily_metrics_compute(business_date=get_business_date())
        self.stdout.write(self.style.SUCCESS("demo data ready"))
