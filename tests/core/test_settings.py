"""Production configuration must fail loudly: checked in a fresh interpreter per case."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _boot(**env_overrides):
    cleared = ("SECRET_KEY", "OTP_TEST_CODE", "DEBUG", "SANDBOX", "GOV_API_URL", "PAYOUT_API_URL", "SMS_API_URL")
    env = {k: v for k, v in os.environ.items() if k not in cleared}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_without_secret_key_refuses_to_start():
    result = _boot(DEBUG="false", SANDBOX="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_otp_test_code_outside_sandbox_refuses_to_start():
    result = _boot(DEBUG="false", SANDBOX="false", SECRET_KEY="x" * 50, OTP_TEST_CODE="123456")
    assert result.returncode != 0
    assert "OTP_TEST_CODE is allowed only when SANDBOX is true" in result.stderr


@pytest.mark.parametrize("debug", ["true", "false"])
def test_otp_test_code_refused_without_sandbox_even_in_debug(debug):
    result = _boot(DEBUG=debug, SANDBOX="false", SECRET_KEY="x" * 50, OTP_TEST_CODE="123456")
    assert result.returncode != 0


SERVICES = {
    "GOV_API_URL": "https://gov.example",
    "PAYOUT_API_URL": "https://pay.example",
    "SMS_API_URL": "https://sms.example",
}


def test_production_with_secret_key_and_services_starts():
    result = _boot(DEBUG="false", SANDBOX="false", SECRET_KEY="x" * 50, **SERVICES)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(SERVICES))
def test_outside_the_sandbox_a_missing_service_url_refuses_to_start(missing):
    services = {name: url for name, url in SERVICES.items() if name != missing}
    result = _boot(DEBUG="false", SANDBOX="false", SECRET_KEY="x" * 50, **services)
    assert result.returncode != 0
    assert missing in result.stderr


def test_sandbox_with_test_code_starts():
    result = _boot(SANDBOX="true", OTP_TEST_CODE="123456")
    assert result.returncode == 0, result.stderr
