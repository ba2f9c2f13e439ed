"""The production checks (crsv/checks.py): production refuses to start with the session timeouts
or the second factor switched off; `check --deploy` says so in development too."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import Tags, run_checks
from django.core.exceptions import ImproperlyConfigured

from crsv.checks import production_start_refuse, session_and_two_factor_problems
from tests.crsv.test_deploy import ROOT, manage, production_env

AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"
SESSION_TIMEOUT = "crsv.middleware.SessionTimeoutMiddleware"
OTP = "crsv.middleware.OTPMiddleware"
TWO_FACTOR_REQUIRED = "crsv.middleware.TwoFactorRequiredMiddleware"


def _ids() -> list[str]:
    return [problem.id or "" for problem in session_and_two_factor_problems()]


def _without(*paths: str) -> list[str]:
    return [path for path in django_settings.MIDDLEWARE if path not in paths]


def _moved_before_authentication(path: str) -> list[str]:
    middleware = _without(path)
    middleware.insert(middleware.index(AUTHENTICATION), path)
    return middleware


def test_the_project_settings_pass() -> None:
    assert session_and_two_factor_problems() == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        pytest.param("SESSION_IDLE_TIMEOUT", timedelta(0), ["crsv.E001"], id="idle-zero"),
        pytest.param("SESSION_IDLE_TIMEOUT", None, ["crsv.E001"], id="idle-none"),
        pytest.param("SESSION_IDLE_TIMEOUT", 900, ["crsv.E001"], id="idle-not-a-duration"),
        pytest.param("SESSION_IDLE_TIMEOUT", timedelta(days=365), ["crsv.E002"], id="idle-a-year"),
        pytest.param("SESSION_IDLE_TIMEOUT", timedelta(hours=2, seconds=1), ["crsv.E002"], id="idle-2h+"),
        pytest.param("SESSION_ABSOLUTE_TIMEOUT", timedelta(0), ["crsv.E003"], id="absolute-zero"),
        pytest.param(
            "SESSION_ABSOLUTE_TIMEOUT", timedelta(minutes=-5), ["crsv.E003"], id="absolute-negative"
        ),
        pytest.param("SESSION_ABSOLUTE_TIMEOUT", timedelta(days=30), ["crsv.E004"], id="absolute-a-month"),
        # An idle timeout longer than the absolute one never fires.
        pytest.param("SESSION_ABSOLUTE_TIMEOUT", timedelta(minutes=10), ["crsv.E002"], id="idle>absolute"),
        pytest.param("OTP_TOTP_TOLERANCE", 10, ["crsv.E010"], id="totp-tolerance"),
        pytest.param("OTP_TOTP_THROTTLE_FACTOR", 0, ["crsv.E011"], id="totp-no-throttle"),
    ],
)
def test_a_timeout_or_totp_setting_switched_off_is_an_error(
    settings: Any, name: str, value: Any, expected: list[str]
) -> None:
    setattr(settings, name, value)
    assert _ids() == expected


@pytest.mark.parametrize("name", ["SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT"])
def test_a_missing_timeout_is_an_error(settings: Any, name: str) -> None:
    delattr(settings, name)
    assert _ids() == ["crsv.E001" if name == "SESSION_IDLE_TIMEOUT" else "crsv.E003"]


@pytest.mark.parametrize(
    ("middleware", "expected"),
    [
        pytest.param(lambda: _without(SESSION_TIMEOUT), ["crsv.E005"], id="no-session-timeout"),
        pytest.param(
            lambda: _moved_before_authentication(SESSION_TIMEOUT), ["crsv.E005"], id="timeout-before-auth"
        ),
        pytest.param(lambda: _without(TWO_FACTOR_REQUIRED), ["crsv.E008"], id="no-two-factor-required"),
        pytest.param(lambda: _without(OTP), ["crsv.E007", "crsv.E008"], id="no-otp-middleware"),
        pytest.param(lambda: _moved_before_authentication(OTP), ["crsv.E007"], id="otp-before-auth"),
        pytest.param(
            lambda: _moved_before_authentication(TWO_FACTOR_REQUIRED),
            ["crsv.E008"],
            id="two-factor-required-before-otp",
        ),
    ],
)
def test_the_enforcing_middleware_must_be_in_place(
    settings: Any, middleware: Any, expected: list[str]
) -> None:
    settings.MIDDLEWARE = middleware()
    assert _ids() == expected


def test_the_api_takes_no_password_only_session(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_AUTHENTICATION_CLASSES": [
            *django_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"],
            "rest_framework.authentication.SessionAuthentication",
        ],
    }
    assert _ids() == ["crsv.E009"]
    assert "SessionAuthentication" in session_and_two_factor_problems()[0].msg


def test_otp_apps_must_be_installed(settings: Any) -> None:
    settings.INSTALLED_APPS = [app for app in django_settings.INSTALLED_APPS if app != "django_otp"]
    assert "crsv.E006" in _ids()


def _crsv_ids(*, deploy: bool) -> list[str]:
    messages = run_checks(tags=[Tags.security], include_deployment_checks=deploy)
    return [message.id or "" for message in messages if (message.id or "").startswith("crsv.")]


def test_registered_development_reports_with_deploy_only(settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = timedelta(days=365)
    assert _crsv_ids(deploy=False) == []
    assert _crsv_ids(deploy=True) == ["crsv.E002"]


def test_registered_production_reports_with_every_command_once(settings: Any) -> None:
    settings.DEVELOPMENT = False
    settings.SESSION_IDLE_TIMEOUT = timedelta(days=365)
    assert _crsv_ids(deploy=False) == ["crsv.E002"]
    assert _crsv_ids(deploy=True) == ["crsv.E002"]


def test_the_wsgi_start_refuses_in_production_only(settings: Any) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    production_start_refuse()  # development: nothing
    settings.DEVELOPMENT = False
    with pytest.raises(ImproperlyConfigured, match=r"crsv\.E011"):
        production_start_refuse()
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    production_start_refuse()


# --- real production processes (settings are module-level: a subprocess per environment) ------


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        pytest.param({"SESSION_IDLE_MINUTES": "525600"}, "crsv.E002", id="idle-a-year"),
        pytest.param({"SESSION_ABSOLUTE_HOURS": "8760"}, "crsv.E004", id="absolute-a-year"),
    ],
)
def test_production_check_refuses_switched_off_timeouts(overrides: dict[str, str], error: str) -> None:
    for command in (("check", "--deploy"), ("check",)):
        result = manage(*command, env=production_env(**overrides))
        assert result.returncode != 0
        assert error in result.stderr


def test_production_gunicorn_refuses_to_boot_with_timeouts_off() -> None:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "crsv.wsgi:application",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        "1",
        "--worker-tmp-dir",
        "/dev/shm",  # noqa: S108  (gunicorn's heartbeat files, as in deploy/gunicorn_config.py)
    ]
    result = subprocess.run(  # noqa: S603  (our own interpreter and gunicorn)
        command,
        cwd=ROOT,
        env=production_env(SESSION_IDLE_MINUTES="525600"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "crsv.E002" in result.stderr


def test_production_wsgi_loads_with_the_defaults() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import crsv.wsgi"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
