"""Error reports to Sentry, only when SENTRY_DSN is set; without it nothing is sent anywhere.

Reports carry no personal data: no request bodies at all (an OTP, a refresh token, an Aadhaar
number are all bodies here), no cookies, authenticating headers or user details
(send_default_pii=False); local variables and fields named like our secrets are scrubbed by
sentry-sdk's EventScrubber (its defaults plus ours); and `scrub` masks phone, Aadhaar and
account numbers in whatever remains (messages, other variables).
"""

import sentry_sdk
from django.conf import settings
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

from apps.core.pii import mask_all

# Names of variables and fields that hold secrets or identities in this codebase.
DENYLIST = [
    *DEFAULT_DENYLIST,
    *("refresh", "access", "otp", "code", "code_hash", "aadhaar", "aadhaar_number", "pan"),
    *("account_number", "phone", "client_secret", "signature", "secret_key", "hash_key"),
]


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
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=scrub,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
    )
    return True
