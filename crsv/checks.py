"""System checks that refuse to run production with the session timeouts or the second factor
switched off (issue 12 item 4).

settings.py already refuses a zero or negative `SESSION_IDLE_MINUTES`/`SESSION_ABSOLUTE_HOURS`
(`ImproperlyConfigured` at start). These checks look at what settings.py cannot see from the
environment: the settings as finally built (an edited or imported settings module, a timeout
so long it is off in all but name) and the middleware and API classes that enforce them.

- In production (`CRSV_ENV=production`) they run with every management command (`check`,
  `check --deploy`, `migrate`, `runserver`: the compose file's `migrate` service runs
  `check --deploy` before any server starts), and `production_start_refuse()` runs them when
  the WSGI application is loaded, so gunicorn's workers refuse to boot too.
- In development they run with `manage.py check --deploy` only, to try the production shape.

Each problem is an Error (`crsv.E001`...), so `check` exits non-zero whatever its fail level.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

# Longer than these, a timeout is off in all but name: DESIGN.md §5 asks for 15 minutes idle
# and an absolute lifetime of a working day (10 hours by default).
IDLE_MAX = timedelta(hours=2)
ABSOLUTE_MAX = timedelta(hours=24)
# More than two 30-second steps either side and a code read off a screen stays good for minutes.
TOTP_TOLERANCE_MAX = 2

AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"
SESSION_TIMEOUT = "crsv.middleware.SessionTimeoutMiddleware"
OTP = "django_otp.middleware.OTPMiddleware"
TWO_FACTOR_REQUIRED = "crsv.middleware.TwoFactorRequiredMiddleware"
OTP_APPS = ("django_otp", "django_otp.plugins.otp_totp")
# The API's only doors: a bearer token (issued after both factors) and a session that passed
# the second factor. DRF's own SessionAuthentication would let a password-only session in.
API_AUTHENTICATION = (
    "crsv.accounts.api.authentication.BearerTokenAuthentication",
    "crsv.accounts.api.authentication.VerifiedSessionAuthentication",
)


def _position(middleware: Sequence[str], required: str) -> int | None:
    """Where `required` (or a subclass of it) is in `middleware`; None if absent."""
    wanted = import_string(required)
    for index, path in enumerate(middleware):
        try:
            found = import_string(path)
        except ImportError:
            continue  # Django's own check reports a middleware that cannot be imported
        if isinstance(found, type) and issubclass(found, wanted):
            return index
    return None


def _timeout(name: str) -> timedelta | None:
    value = getattr(settings, name, None)
    return value if isinstance(value, timedelta) and value > timedelta(0) else None


def _session_problems() -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    idle = _timeout("SESSION_IDLE_TIMEOUT")
    absolute = _timeout("SESSION_ABSOLUTE_TIMEOUT")
    if idle is None:
        problems.append(
            Error(
                "SESSION_IDLE_TIMEOUT is missing or not a positive duration: idle sessions never end.",
                hint="Set SESSION_IDLE_MINUTES (15 by default).",
                id="crsv.E001",
            )
        )
    elif idle > IDLE_MAX or (absolute is not None and idle > absolute):
        problems.append(
            Error(
                f"SESSION_IDLE_TIMEOUT is {idle}: longer than {IDLE_MAX} or than the absolute "
                "timeout, an idle session is as good as never ended.",
                hint="Set SESSION_IDLE_MINUTES to 15 (at most 120).",
                id="crsv.E002",
            )
        )
    if absolute is None:
        problems.append(
            Error(
                "SESSION_ABSOLUTE_TIMEOUT is missing or not a positive duration: sessions never end.",
                hint="Set SESSION_ABSOLUTE_HOURS (10 by default).",
                id="crsv.E003",
            )
        )
    elif absolute > ABSOLUTE_MAX:
        problems.append(
            Error(
                f"SESSION_ABSOLUTE_TIMEOUT is {absolute}: longer than {ABSOLUTE_MAX}, a session "
                "outlives the working day it was opened for.",
                hint="Set SESSION_ABSOLUTE_HOURS to 10 (at most 24).",
                id="crsv.E004",
            )
        )
    middleware = list(settings.MIDDLEWARE)
    timeout_at, authentication_at = (
        _position(middleware, SESSION_TIMEOUT),
        _position(middleware, AUTHENTICATION),
    )
    if timeout_at is None or authentication_at is None or timeout_at < authentication_at:
        problems.append(
            Error(
                f"{SESSION_TIMEOUT} is not in MIDDLEWARE after {AUTHENTICATION}: "
                "the session timeouts are not enforced.",
                id="crsv.E005",
            )
        )
    return problems


def _two_factor_problems() -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    missing_apps = [app for app in OTP_APPS if app not in settings.INSTALLED_APPS]
    if missing_apps:
        problems.append(
            Error(
                f"{', '.join(missing_apps)} not in INSTALLED_APPS: no second factor can be verified.",
                id="crsv.E006",
            )
        )
    middleware = list(settings.MIDDLEWARE)
    authentication_at = _position(middleware, AUTHENTICATION)
    otp_at = _position(middleware, OTP)
    if otp_at is None or authentication_at is None or otp_at < authentication_at:
        problems.append(
            Error(
                f"An {OTP} (crsv.middleware.OTPMiddleware) is not in MIDDLEWARE after "
                f"{AUTHENTICATION}: no session is ever seen as verified.",
                id="crsv.E007",
            )
        )
    required_at = _position(middleware, TWO_FACTOR_REQUIRED)
    if required_at is None or otp_at is None or required_at < otp_at:
        problems.append(
            Error(
                f"{TWO_FACTOR_REQUIRED} is not in MIDDLEWARE after the OTP middleware: "
                "a password alone opens every page.",
                id="crsv.E008",
            )
        )
    rest_framework: dict[str, Any] = getattr(settings, "REST_FRAMEWORK", {})
    doors = list(rest_framework.get("DEFAULT_AUTHENTICATION_CLASSES", ()))
    others = [door for door in doors if door not in API_AUTHENTICATION]
    if others or not doors:
        problems.append(
            Error(
                "REST_FRAMEWORK's DEFAULT_AUTHENTICATION_CLASSES must be only "
                f"{' and '.join(API_AUTHENTICATION)}; found {', '.join(others) or 'none'}: "
                "the API would take a password-only session or credentials.",
                id="crsv.E009",
            )
        )
    tolerance = getattr(settings, "OTP_TOTP_TOLERANCE", 1)
    if not isinstance(tolerance, int) or tolerance > TOTP_TOLERANCE_MAX:
        problems.append(
            Error(
                f"OTP_TOTP_TOLERANCE is {tolerance!r}: more than {TOTP_TOLERANCE_MAX} steps of 30 s "
                "either side keeps a code valid for minutes.",
                hint="Leave it at 1.",
                id="crsv.E010",
            )
        )
    throttle = getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)
    if not isinstance(throttle, (int, float)) or throttle <= 0:
        problems.append(
            Error(
                f"OTP_TOTP_THROTTLE_FACTOR is {throttle!r}: wrong codes are not slowed down, so six "
                "digits can be guessed.",
                hint="Leave it unset (1).",
                id="crsv.E011",
            )
        )
    return problems


def session_and_two_factor_problems() -> list[CheckMessage]:
    """Every problem with the session timeouts and the second factor, whatever the environment."""
    return _session_problems() + _two_factor_problems()


def production_session_and_two_factor_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Registered for every command: reports in production only."""
    return [] if settings.DEVELOPMENT else session_and_two_factor_problems()


def deploy_session_and_two_factor_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Registered for `check --deploy`: reports in development only (in production the check
    above has already reported, and a problem is said once)."""
    return session_and_two_factor_problems() if settings.DEVELOPMENT else []


def production_checks_register() -> None:
    """Register the two checks (from an AppConfig.ready; registering twice is harmless: the
    registry is a set of functions)."""
    register(production_session_and_two_factor_check, Tags.security)
    register(deploy_session_and_two_factor_check, Tags.security, deploy=True)


def production_start_refuse() -> None:
    """Raise ImproperlyConfigured, in production, on any problem above: called where the WSGI
    application is made, since gunicorn runs no system check of its own."""
    if settings.DEVELOPMENT:
        return
    problems = session_and_two_factor_problems()
    if problems:
        raise ImproperlyConfigured(
            "Refusing to start: " + " ".join(f"{problem.id}: {problem.msg}" for problem in problems)
        )
