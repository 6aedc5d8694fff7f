"""Settings fail closed: checked in a fresh interpreter per case, with only the environment given."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

CLEARED = (
    "ENVIRONMENT", "SECRET_KEY", "HASH_KEY", "OTP_TEST_CODE", "DEBUG", "SANDBOX", "ALLOWED_HOSTS",
    "GOV_API_URL", "PAYOUT_API_URL", "SMS_API_URL", "PAYMENT_WEBHOOK_SECRET", "METRICS_TOKEN", "LOG_FORMAT",
    "TRUSTED_PROXY_COUNT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process; a deploy check refuses it
)  # fmt: skip
SERVICES = {
    "GOV_API_URL": "https://gov.example",
    "PAYOUT_API_URL": "https://pay.example",
    "SMS_API_URL": "https://sms.example",
}
PRODUCTION = {
    "ENVIRONMENT": "production",
    "SECRET_KEY": "s3cret-" + "k" * 30 + "ey-for-tests-only-9f8e7d6c5b4a",
    "HASH_KEY": "hash-key-for-tests-only-0a1b2c3d4e5f",
    "ALLOWED_HOSTS": "credit.example",
    "PAYMENT_WEBHOOK_SECRET": "whsec_production_only_for_tests_77",
    "METRICS_TOKEN": "metrics-token-for-tests-only",
    "TRUSTED_PROXY_COUNT": "1",
    **SERVICES,
}


def _run(code: str, **env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def _boot(**env_overrides) -> subprocess.CompletedProcess:
    return _run("import django; django.setup()", **env_overrides)


def _settings(*names, **env_overrides) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings; "
    code += f"print(*[repr(getattr(settings, name)) for name in {names!r}], sep='\\n')"
    result = _run(code, **env_overrides)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("environment", [None, "", "staging", "Production"])
def test_an_unknown_or_missing_environment_refuses_to_start(environment):
    result = _boot(**({} if environment is None else {"ENVIRONMENT": environment}))
    assert result.returncode != 0
    assert "ENVIRONMENT must be one of development, test, production" in result.stderr


def test_development_and_test_defaults():
    assert _settings("DEBUG", "SANDBOX", "ALLOWED_HOSTS", ENVIRONMENT="development") == ["True", "True", "['*']"]
    assert _settings("DEBUG", "SANDBOX", "ALLOWED_HOSTS", ENVIRONMENT="test") == ["False", "True", "['*']"]


def test_production_with_everything_set_starts_without_debug_or_sandbox():
    debug, sandbox, hsts, redirect = _settings(
        "DEBUG", "SANDBOX", "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", **PRODUCTION
    )
    assert (debug, sandbox, redirect) == ("False", "False", "True")
    assert int(hsts) >= 365 * 24 * 60 * 60


def test_connections_persist_and_are_checked_before_reuse():
    code = "import django; django.setup(); from django.db import connection as c; "
    code += "print(c.settings_dict['CONN_MAX_AGE'], c.settings_dict['CONN_HEALTH_CHECKS'])"
    result = _run(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["600", "True"]
    result = _run(code, **PRODUCTION, CONN_MAX_AGE="0")  # e.g. behind PgBouncer in transaction mode
    assert result.stdout.split() == ["0", "True"]


def test_production_may_ask_for_the_sandbox_explicitly():
    without_services = {k: v for k, v in PRODUCTION.items() if k not in SERVICES}
    assert _settings("SANDBOX", **without_services, SANDBOX="true") == ["True"]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "Production requires SECRET_KEY"),
        ("HASH_KEY", "Production requires HASH_KEY"),
        ("ALLOWED_HOSTS", "Production requires ALLOWED_HOSTS"),
        ("PAYMENT_WEBHOOK_SECRET", "Production requires its own PAYMENT_WEBHOOK_SECRET"),
        ("METRICS_TOKEN", "Production requires METRICS_TOKEN"),
        ("TRUSTED_PROXY_COUNT", "Production requires TRUSTED_PROXY_COUNT"),
    ],
)
def test_production_without_a_required_setting_refuses_to_start(missing, message):
    result = _boot(**{k: v for k, v in PRODUCTION.items() if k != missing})
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_hash_key_equal_to_the_secret_key():
    result = _boot(**{**PRODUCTION, "HASH_KEY": PRODUCTION["SECRET_KEY"]})
    assert result.returncode != 0
    assert "HASH_KEY must differ from SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = _boot(**PRODUCTION, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG is refused in production" in result.stderr


@pytest.mark.parametrize("sandbox", ["true", "false"])
def test_production_refuses_otp_test_code_even_in_the_sandbox(sandbox):
    result = _boot(**PRODUCTION, SANDBOX=sandbox, OTP_TEST_CODE="123456")
    assert result.returncode != 0
    assert "OTP_TEST_CODE is allowed only when SANDBOX is true, and never in production" in result.stderr


@pytest.mark.parametrize("environment", ["development", "test"])
def test_otp_test_code_outside_the_sandbox_refuses_to_start(environment):
    result = _boot(ENVIRONMENT=environment, SANDBOX="false", OTP_TEST_CODE="123456", **SERVICES)
    assert result.returncode != 0
    assert "OTP_TEST_CODE is allowed only when SANDBOX is true" in result.stderr


def test_the_sandbox_with_a_test_code_starts():
    assert _boot(ENVIRONMENT="development", OTP_TEST_CODE="123456").returncode == 0


@pytest.mark.parametrize("missing", sorted(SERVICES))
def test_outside_the_sandbox_a_missing_service_url_refuses_to_start(missing):
    result = _boot(**{k: v for k, v in PRODUCTION.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_development_keys_keep_hash_and_secret_apart():
    secret, hash_key = _settings("SECRET_KEY", "HASH_KEY", ENVIRONMENT="development")
    assert secret != hash_key


def test_production_passes_the_deploy_checks():
    result = _run(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='DEBUG')",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_redirects_to_https_except_the_health_check():
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(); "
        "print(c.get('/admin/login/', HTTP_HOST='credit.example').status_code); "
        "print(c.get('/health', HTTP_HOST='credit.example').status_code)"
    )
    result = _run(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    redirect, health = result.stdout.split()[-2:]
    assert redirect == "301"
    assert health in ("200", "503")  # 503 only if this database is down; never the redirect


def test_importing_the_settings_creates_no_folders():
    code = (
        "import os, pathlib; made = []; "
        "pathlib.Path.mkdir = lambda self, *a, **k: made.append(str(self)); "
        "os.makedirs = lambda name, *a, **k: made.append(str(name)); os.mkdir = os.makedirs; "
        "import django; django.setup(); print(made)"
    )
    for environment in ("development", "test"):
        result = _run(code, ENVIRONMENT=environment)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "[]"


def test_env_example_lists_every_setting_read_from_the_environment():
    read = set(re.findall(r'env\.\w+\("([A-Z_]+)"', (ROOT / "config" / "settings.py").read_text()))
    listed = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read - listed == set()
    assert listed - read == {"PROMETHEUS_MULTIPROC_DIR"}  # read by prometheus_client itself


def test_docker_compose_runs_the_sandbox_without_any_setting():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    text = (ROOT / "docker-compose.yml").read_text()
    assert ":?" not in text  # no variable is required
    web = compose["services"]["web"]["environment"]
    assert web["ENVIRONMENT"] == "${ENVIRONMENT:-development}"
    assert "SANDBOX" not in web  # the settings decide: true in development, false in production
    assert "seed_demo" in compose["services"]["migrate"]["command"]
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_image_is_multi_stage_and_runs_as_a_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) == 2
    assert re.findall(r"^USER (\w+)", dockerfile, re.MULTILINE) == ["app"]
    assert ".venv" in (ROOT / ".dockerignore").read_text().split()


@pytest.mark.django_db
def test_demo_data_is_never_seeded_outside_the_sandbox(settings):
    from django.core.management import call_command

    from apps.accounts.models import User

    settings.SANDBOX = False
    call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.filter(username="admin").exists()
