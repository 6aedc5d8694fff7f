"""The suite runs with ENVIRONMENT=test, set here before Django reads the settings.

pytest-django reads the settings before any conftest.py when pyproject names the settings
module, and ENVIRONMENT has no default (settings fail closed), so this file, which pytest loads
first, names both and sets Django up itself.
"""

import os

import django

os.environ["ENVIRONMENT"] = "test"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
