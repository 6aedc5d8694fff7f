import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("gst_credit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

FILESYSTEM_FOLDERS = ("data_folder_in", "data_folder_out", "control_folder")


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender, source, **kwargs):
    """kombu's filesystem transport (the broker when CELERY_BROKER_URL is unset) expects its
    folders to exist. Made when a process first configures Celery to use it, to publish or to
    consume, so that importing the settings writes nothing."""
    if not (source.broker_url or "").startswith("filesystem://"):
        return
    options = source.broker_transport_options or {}
    for key in FILESYSTEM_FOLDERS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
