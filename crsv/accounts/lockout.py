"""Sign-in lockout (django-axes): whom a failure is counted against, and what a locked client sees.

Failures count per username and client address together (settings `AXES_*`): wrong passwords at
the sign-in page, the admin sign-in and the token endpoint, and wrong second-factor codes. The
database handler counts with a row lock and `failures + 1` in SQL, so parallel attempts lose no
update.

No enumeration: a locked client gets exactly the answer of a wrong password (the same page, the
same status, the same words), for a real account or an unknown name alike; the sign-in page says
once, for everyone, that repeated failures pause sign-in. A locked-out user waits for the cool-off
or asks an admin (`manage.py axes_reset_username <username>`, or delete the attempt in the admin).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from crsv.accounts.models import User
from crsv.audit.services import client_ip

_UNKNOWN_SALT = "crsv.accounts.lockout.unknown-username"


def lockout_client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, which `TrustedProxyMiddleware` replaced with the trusted proxy's X-Real-IP
    (and only then); a client's own X-Forwarded-For is dropped before anything reads it."""
    return client_ip(request)


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The name counted against: the account's username, or a keyed hash of an unknown name.

    A name that is no account may be a password typed in the wrong field: it is not stored as
    typed (the lockout works the same on its hash)."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = request.POST.get("username")
    if not typed:
        return None
    cache: dict[str, str] = request.__dict__.setdefault("_crsv_lockout_names", {})
    if typed not in cache:
        known = User.objects.filter(username=typed).exists()
        cache[typed] = typed if known else "?" + salted_hmac(_UNKNOWN_SALT, typed).hexdigest()[:40]
    return cache[typed]


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponseBase:
    """The view's own answer to the refused attempt: a wrong password's page or 401, unchanged."""
    if isinstance(original_response, HttpResponseBase):
        return original_response
    return HttpResponse(_("Wrong username or password."), status=401)  # not reached under WSGI


def lockout_hint() -> str:
    """Shown with every failed sign-in, locked or not (the same words for both)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "After %(limit)s failed attempts, sign-in for that account from your address is paused "
        "for %(minutes)s minutes."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}


def second_factor_locked(*, request: HttpRequest, user: User) -> bool:
    """Whether the user is locked out from this address (wrong passwords or codes)."""
    return not AxesProxyHandler.is_allowed(request, {"username": user.get_username()})


def second_factor_failed(*, request: HttpRequest, user: User) -> None:
    """Count a wrong second-factor code towards the user's lockout, like a wrong password (the
    audit trail already has its own row for it: `two_factor.failed` or `token_refused`)."""
    AxesProxyHandler.user_login_failed(
        sender=second_factor_failed, credentials={"username": user.get_username()}, request=request
    )
