import importlib
import importlib.util

from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "System"

    def ready(self):
        from celery.signals import task_postrun
        from prometheus_client import REGISTRY

        from apps.core import metrics, sentry

        importlib.import_module("apps.core.idempotency")  # registers idempotency_purge
        # Fill the job registry, the outbox's handlers, the /metrics gauges, the screening checks
        # and the four-eyes kinds from every app's `jobs`, `handlers`, `gauges`, `screens` and
        # `approvals` modules, without core importing them by name.
        for config in apps.get_app_configs():
            for room in ("jobs", "handlers", "gauges", "screens", "approvals"):
                module = f"{config.name}.{room}"
                if config.name.startswith("apps.") and importlib.util.find_spec(module):
                    importlib.import_module(module)
        if not metrics.COLLECTOR.registered:
            REGISTRY.register(metrics.COLLECTOR)
            metrics.COLLECTOR.registered = True
        task_postrun.connect(_count_task, weak=False, dispatch_uid="core.metrics.task_postrun")
        sentry.sentry_init()


def _count_task(sender=None, state=None, **kwargs):
    from apps.core.metrics import celery_task_finished

    celery_task_finished(getattr(sender, "name", str(sender)), state or "")
