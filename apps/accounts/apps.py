from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
    verbose_name = "Users and access"

    def ready(self):
        from axes.signals import user_locked_out

        from apps.accounts import schema  # noqa: F401 - registers the OpenAPI auth extension
        from apps.accounts.groups import sync_role_groups
        from apps.accounts.lockout import record_lockout

        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
        user_locked_out.connect(record_lockout, dispatch_uid="accounts.record_lockout")
