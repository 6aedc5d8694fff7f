from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """django.contrib.admin with our site as the default one (admin.site), so every ModelAdmin
    registered anywhere lives behind its second-factor login. In a module of its own: Django
    picks an app's AppConfig from apps.py only when that module holds exactly one."""

    default_site = "apps.accounts.admin_site.StaffAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin module
        from django.contrib import admin

        admin.site.finish_registry()
