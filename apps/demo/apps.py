from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`. The top layer: it may use every app's services."""

    name = "apps.demo"
    label = "demo"
