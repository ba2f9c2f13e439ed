"""Request middleware for the platform: proxy trust, session timeouts, login, time zone."""

from __future__ import annotations

import contextlib
import ipaddress
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware

from crsv.expired_posts import (
    expired_post_keep,
    expired_session_spared,
    kept_draft_offer,
    kept_draft_remember,
)

SESSION_LAST_SEEN = "_crsv_last_seen"
SESSION_LOGIN_AT = "_crsv_login_at"
SESSION_TIME_ZONE = "_crsv_tz"
# Write the session at most this often to record activity: not on every request (and at least
# four times per idle period, when a test or a setting makes that period very short).
_LAST_SEEN_RESOLUTION = 60


class TrustedProxyMiddleware:
    """Believe forwarded headers only when the request comes from a trusted reverse proxy.

    From the proxy, the client address is its `X-Real-IP` (set by nginx to the peer it saw).
    From anyone else the forwarded headers are dropped, so `SECURE_PROXY_SSL_HEADER` and the
    audit trail's client address cannot be forged by a client that reaches the app directly.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = [ipaddress.ip_network(n, strict=False) for n in settings.CRSV_TRUSTED_PROXIES]

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if self.networks and self._trusted(meta.get("REMOTE_ADDR", "")):
            real_ip = meta.get("HTTP_X_REAL_IP", "").strip()
            with contextlib.suppress(ValueError):  # no or bad X-Real-IP: keep the proxy's address
                meta["REMOTE_ADDR"] = str(ipaddress.ip_address(real_ip))
        else:
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
            meta.pop("HTTP_X_FORWARDED_HOST", None)
        # REMOTE_ADDR is now the client; a client-supplied X-Forwarded-For must not be read by
        # anything later (DRF's throttle would otherwise key on it), so it goes in every case.
        meta.pop("HTTP_X_FORWARDED_FOR", None)
        meta.pop("HTTP_X_REAL_IP", None)
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Log out after an idle period and after an absolute session lifetime, losing nothing.

    The idle period counts from the session's last request, a keep-alive ping included (the
    optional script static/js/keep_alive.js pings while a form is being typed; see
    crsv.accounts.keep_alive); nothing extends the absolute lifetime. A form posted after
    either is kept as a draft when its view asks for it (crsv.expired_posts), and offered back
    once its user has signed in again; a ping that arrives after either is refused without
    ending the session, which that form's post may still need. The timeouts are read on each
    request, so a test (or a settings override) changes them at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            last_seen = session.get(SESSION_LAST_SEEN, now)
            login_at = session.get(SESSION_LOGIN_AT, now)
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - last_seen > idle or now - login_at > absolute:
                return self._expired(request)
            resolution = min(_LAST_SEEN_RESOLUTION, idle / 4)
            if now - last_seen >= resolution or SESSION_LAST_SEEN not in session:
                session[SESSION_LAST_SEEN] = now
                session.setdefault(SESSION_LOGIN_AT, now)
            if request.user.is_verified():  # type: ignore[attr-defined]  # installed by OTPMiddleware
                kept_draft_offer(request)
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> HttpResponse:
        if expired_session_spared(request):  # the keep-alive ping: refused, the session left
            return redirect(settings.LOGIN_URL)
        user_id = request.user.pk
        try:
            kept = expired_post_keep(request, csrf=self.csrf)  # as the session's user, before logout
        finally:
            logout(request)
        if kept is not None:
            kept_draft_remember(request, user_id=user_id, kept=kept)
        else:
            messages.info(request, _("Your session expired. Please sign in again."))
        return redirect(settings.LOGIN_URL)


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs login unless its view is marked `login_not_required`.

    The API answers for itself (DRF: 401 with `WWW-Authenticate`), so it is not redirected.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class OfficeTimezoneMiddleware:
    """Show and read dates in the time zone of the user's field office (stored at login)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.session.get(SESSION_TIME_ZONE) if hasattr(request, "session") else None
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)


# What a signed-in but not yet two-factor-verified session may reach.
_UNVERIFIED_ALLOWED = ("/accounts/two-factor/", "/accounts/logout/", "/accounts/login/", "/i18n/", "/static/")


class TwoFactorRequiredMiddleware:
    """A session that has not passed the second factor gets nowhere but the verification and
    enrolment pages (and sign-out). The API refuses such sessions itself (401)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        path = request.path_info
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # installed by OTPMiddleware
            and not path.startswith(_UNVERIFIED_ALLOWED)
            and not path.startswith("/api/")
            and path != "/healthz"
        ):
            return redirect(
                f"{resolve_url('accounts:two_factor_verify')}?next={quote(request.get_full_path())}"
            )
        return self.get_response(request)


@dataclass(frozen=True)
class VerifiedDevice:
    """Stands for the device that verified the session: `user.is_verified()` only asks that
    `user.otp_device` is not None, and nothing in this project reads more of it."""

    persistent_id: str


class OTPMiddleware(DjangoOTPMiddleware):
    """django-otp's middleware, answering "is this session verified?" from the confirmed device
    ids read with the user (crsv.accounts.scope): one query less on every request. A user
    loaded some other way falls back to django-otp's own lookup."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        known = getattr(user, "_confirmed_device_ids", None) if user.is_authenticated else None
        if known is None:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id and self._normalize_persistent_id(persistent_id) in known:
            user.otp_device = VerifiedDevice(persistent_id)
        elif persistent_id:
            del request.session[DEVICE_ID_SESSION_KEY]  # a device since removed or unconfirmed
        return user
