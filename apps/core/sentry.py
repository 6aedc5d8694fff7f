"""Error reports to Sentry, only when SENTRY_DSN is set; without it nothing is sent anywhere.

Reports carry no personal data: sentry-sdk's own default leaves out cookies, headers that
authenticate and the user's details (send_default_pii=False), and `scrub` masks phone, Aadhaar
and account numbers in whatever remains (messages, local variables, request bodies).
"""

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from apps.core.pii import mask_all


def scrub(event, hint):
    return mask_all(event)


def sentry_init() -> bool:
    if not settings.SENTRY_DSN:
        return False
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.ENVIRONMENT,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        before_send=scrub,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
    )
    return True
