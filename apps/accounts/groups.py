"""Django admin permissions follow the role: an OFFICER and an ADMIN group kept in sync after
every migrate (permissions only exist once every app has migrated, hence post_migrate).

OFFICER: view everything in the project's apps, and operate the day's work (KYC review,
collections, recovery, bounces, notifications); never products, settings, users or overrides.
COLLECTOR: their collection cases only (the admin narrows the rows to the cases assigned to
them): view and work cases, log actions; nothing else in the book.
ADMIN: every permission.
"""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission

from apps.core.roles import Role

PROJECT_APPS = (
    "core",
    "audit",
    "accounts",
    "ledger",
    "kyc",
    "banking",
    "risk",
    "invoices",
    "loans",
    "repayments",
    "payments",
    "collections",
    "reports",
    "django_celery_beat",
    "constance",
)
OFFICER_HIDDEN_APPS = ("constance",)
# (app_label, codename) an officer may use beyond viewing.
OFFICER_EXTRA_PERMISSIONS = [
    ("kyc", "change_business"),
    ("kyc", "change_collateral"),
    ("kyc", "change_bankaccount"),  # approving a bank's name
    ("invoices", "change_invoice"),
    ("loans", "change_loan"),
    ("loans", "change_loanapplication"),  # deciding an application held for review
    ("loans", "change_payoutworkitem"),  # the worklist's bulk "Payout failed"
    ("repayments", "add_bounce"),
    ("repayments", "add_repayment"),
    ("repayments", "add_chargewaiver"),
    ("collections", "add_recoveryaction"),
    ("collections", "change_recoveryaction"),
    ("collections", "view_notification"),
    ("collections", "change_collectioncase"),
    ("collections", "add_caseaction"),
    ("payments", "change_webhookevent"),  # replaying dead letters
    ("payments", "change_unappliedcredit"),  # applying or refunding a parked credit
    ("payments", "add_settlementfile"),  # uploading the rail's settlement report
    ("payments", "change_settlementrow"),  # resolving a break
    ("risk", "change_riskalert"),  # clearing or confirming a fraud alert
]
COLLECTOR_PERMISSIONS = [
    ("collections", "view_collectioncase"),
    ("collections", "change_collectioncase"),
    ("collections", "view_caseaction"),
    ("collections", "add_caseaction"),
    ("collections", "view_caseevent"),
    ("collections", "view_promisetopay"),
]


def _permissions(pairs):
    return [
        p
        for app_label, codename in pairs
        for p in Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    ]


def sync_role_groups(**kwargs) -> None:
    if not global_apps.is_installed("django.contrib.auth"):
        return
    officer, _ = Group.objects.get_or_create(name=Role.OFFICER)
    admin, _ = Group.objects.get_or_create(name=Role.ADMIN)
    collector, _ = Group.objects.get_or_create(name=Role.COLLECTOR)
    project = Permission.objects.filter(content_type__app_label__in=PROJECT_APPS)
    viewing = project.filter(codename__startswith="view_").exclude(content_type__app_label__in=OFFICER_HIDDEN_APPS)
    officer.permissions.set([*viewing, *_permissions(OFFICER_EXTRA_PERMISSIONS)])
    collector.permissions.set(_permissions(COLLECTOR_PERMISSIONS))
    admin.permissions.set(Permission.objects.all())
