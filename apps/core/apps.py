import importlib
import importlib.util

from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "System"

    def ready(self):
        importlib.import_module("apps.core.idempotency")  # registers idempotency_purge
        # Fill the job registry and the outbox's handlers from every app's `jobs` and `handlers`
        # modules, without core importing them by name.
        for config in apps.get_app_configs():
            for room in ("jobs", "handlers"):
                module = f"{config.name}.{room}"
                if config.name.startswith("apps.") and importlib.util.find_spec(module):
                    importlib.import_module(module)
