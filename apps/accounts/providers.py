"""SMS delivery behind one interface: a sandbox that only logs (masked), and an HTTP gateway."""

import logging
import re
from typing import Protocol

from django.conf import settings

from apps.accounts.phone import mask_phone
from apps.core.http import JsonHttpClient

logger = logging.getLogger(__name__)
_DIGIT_RUNS = re.compile(r"\d{4,}")


class SmsProvider(Protocol):
    def send(self, *, phone: str, message: str) -> str: ...


class SandboxSmsProvider:
    """Delivers nothing. The log line hides the number and any code or amount in the text."""

    def send(self, *, phone: str, message: str) -> str:
        logger.info("sandbox SMS to %s: %s", mask_phone(phone), _DIGIT_RUNS.sub("****", message))
        return "sandbox"


class HttpSmsProvider:
    def __init__(self, client: JsonHttpClient):
        self.client = client

    def send(self, *, phone: str, message: str) -> str:
        body = self.client.post("/sms", {"to": phone, "text": message}).body
        return str(body.get("message_id", ""))


def get_sms_provider() -> SmsProvider:
    if settings.SANDBOX or not settings.SMS_API_URL:
        return SandboxSmsProvider()
    return HttpSmsProvider(
        JsonHttpClient(settings.SMS_API_URL, headers={"X-Api-Key": settings.SMS_API_KEY}, timeout=5.0, retries=2)
    )
