"""The ops console's sidebar (django-unfold's SIDEBAR["navigation"], settings.UNFOLD): organised
by the work an operations team does, not by Django app. An entry shows only to whoever may open
the page behind it; the framework's own tables (tokens, OTP challenges, idempotency records,
balance stripes, beat schedules, login attempts) show only to ADMIN, and the site refuses them
to anyone else whatever the link (apps/accounts/admin_site.py, ADMIN_ONLY_MODELS)."""

from django.templatetags.static import static
from django.urls import reverse_lazy

from apps.core.roles import OPS_ROLES, Role


def _is_admin(request) -> bool:
    return getattr(request.user, "role", None) == Role.ADMIN


def _can_view(perm: str):
    return lambda request: request.user.has_perm(perm)


def _admin_only(perm: str):
    return lambda request: _is_admin(request) and request.user.has_perm(perm)


def _model(title: str, icon: str, model: str, *, admin_only: bool = False, url: str = "changelist") -> dict:
    """An entry for a model's list; `model` is "app_label.modelname"."""
    app_label, name = model.split(".")
    perm = f"{app_label}.view_{name}"
    return {
        "title": title,
        "icon": icon,
        "link": reverse_lazy(f"admin:{app_label}_{name}_{url}"),
        "permission": _admin_only(perm) if admin_only else _can_view(perm),
    }


def _page(title: str, icon: str, url_name: str, perm: str) -> dict:
    return {"title": title, "icon": icon, "link": reverse_lazy(url_name), "permission": _can_view(perm)}


def sidebar(request) -> list[dict]:
    return [
        {
            "title": "Today",
            "items": [
                {"title": "Dashboard", "icon": "dashboard", "link": reverse_lazy("admin:index")},
                _page("Find a borrower", "person_search", "admin:borrower_search", "kyc.view_business"),
                _page("Daily MIS", "monitoring", "admin:mis", "reports.view_dailymetrics"),
            ],
        },
        {
            # The ops worklists (WorklistAdmin in each owning app); collections adds its own here.
            "title": "Worklists",
            "items": [
                _model("KYC to review", "fact_check", "kyc.kycreviewitem"),
                _model("Applications under review", "assignment", "loans.loanapplication"),
                _model("Fraud alerts", "gpp_maybe", "risk.riskalert"),
                _model("Approvals (four eyes)", "how_to_reg", "audit.approval"),
                _model("Payouts pending or failed", "currency_exchange", "loans.payoutworkitem"),
                _model("Installments due", "event", "loans.dueinstallment"),
                _model("Overdue loans", "warning", "loans.overdueloan"),
                _model("Awaiting settlement", "hourglass_top", "payments.unsettledrepayment"),
                # A collector's own cases (the admin narrows the rows); every case for OFFICER/ADMIN.
                _model("Collection cases", "support_agent", "collections.collectioncase"),
            ],
        },
        {
            "title": "Borrowers",
            "items": [
                _model("Businesses", "storefront", "kyc.business"),
                _model("Collaterals", "home_work", "kyc.collateral"),
                _model("Bank accounts", "account_balance", "kyc.bankaccount"),
                _model("Bank-data consents", "handshake", "banking.consent"),
                _model("Bank-data syncs", "sync", "banking.banksync"),
                _model("Bank status log", "monitor_heart", "banking.bankcall"),
                _model("Shared bank accounts", "wallet", "banking.bankaccount"),
                _model("Credit scores", "speed", "risk.creditscore"),
            ],
        },
        {
            "title": "Lending",
            "items": [
                _model("Invoices", "receipt_long", "invoices.invoice"),
                _model("Offers", "local_offer", "loans.offer"),
                _model("Loans", "account_balance_wallet", "loans.loan"),
            ],
        },
        {
            "title": "Collections",
            "items": [
                {
                    "title": "The desk",
                    "icon": "groups",
                    "link": reverse_lazy("admin:collections_desk"),
                    "permission": lambda request: getattr(request.user, "role", None) in OPS_ROLES,
                },
                _model("Bounces", "report", "repayments.bounce"),
                _model("Reminders sent", "notifications", "collections.notification"),
                _model("Recovery", "gavel", "collections.recoveryaction"),
            ],
        },
        {
            "title": "Money",
            "items": [
                _model("Repayments", "payments", "repayments.repayment"),
                _model("Offline payments", "account_balance", "repayments.offlinepayment"),
                _model("Charge waivers", "money_off", "repayments.chargewaiver"),
                _model("Payouts", "outbox", "loans.payout"),
                _model("Payments on the rail", "qr_code_2", "payments.paymentintent"),
                _model("Mandates", "autorenew", "payments.mandate"),
                _model("Unapplied credits", "savings", "payments.unappliedcredit"),
                _model("Rail webhooks", "webhook", "payments.webhookevent"),
                _model("Settlement files", "upload_file", "payments.settlementfile"),
                _model("Settlement breaks", "rule_folder", "payments.settlementrow"),
            ],
        },
        {
            "title": "Books",
            "items": [
                _model("Chart of accounts", "account_tree", "ledger.account"),
                _model("Journal entries", "menu_book", "ledger.journalentry"),
                _model("Journal lines", "list_alt", "ledger.journalline"),
                _model("Audit trail", "history", "audit.auditlog"),
                _model("Balance stripes", "stacks", "ledger.accountbalancestripe", admin_only=True),
            ],
        },
        {
            "title": "Jobs",
            "items": [
                _model("Job runs", "schedule", "core.jobrun"),
                _model("Outbox events", "outbox", "core.event"),
                _model("Partner endpoints", "hub", "webhooks.webhookendpoint", admin_only=True),
                _model("Partner deliveries", "send", "webhooks.webhookdelivery", admin_only=True),
                _model("Schedules", "event_repeat", "django_celery_beat.periodictask"),
                _model("Crontabs", "timer", "django_celery_beat.crontabschedule", admin_only=True),
                _model("Intervals", "timer", "django_celery_beat.intervalschedule", admin_only=True),
                _model("Solar events", "wb_sunny", "django_celery_beat.solarschedule", admin_only=True),
                _model("Clocked", "alarm", "django_celery_beat.clockedschedule", admin_only=True),
            ],
        },
        {
            "title": "Settings",
            "items": [
                _model("Business date", "calendar_today", "core.businessdate"),
                _model("Loan products", "inventory_2", "loans.loanproduct"),
                _model("NACH return codes", "rule", "repayments.nachreturncode"),
                _model("Live settings", "tune", "constance.config"),
            ],
        },
        {
            "title": "Staff",
            "items": [
                _model("Users", "badge", "accounts.user"),
                _model("Devices", "devices", "accounts.device"),
                _model("Role groups", "groups", "auth.group", admin_only=True),
                _model("Login attempts", "lock_clock", "axes.accessattempt", admin_only=True),
                _model("OTP challenges", "password", "accounts.otpchallenge", admin_only=True),
                _model("Issued tokens", "key", "token_blacklist.outstandingtoken", admin_only=True),
                _model("Revoked tokens", "key_off", "token_blacklist.blacklistedtoken", admin_only=True),
                _model("Idempotency records", "fingerprint", "core.idempotencyrecord", admin_only=True),
            ],
        },
    ]


def environment_badge(request):
    """The environment in the header, so nobody mistakes the sandbox for production."""
    from django.conf import settings

    if settings.SANDBOX:
        return ["Sandbox rails", "warning"]
    return None


def stylesheet(request) -> str:
    return static("admin/console.css")
