"""Last activity: `User.last_active_at` and the session's `UserSession.last_seen_at`, written at
most every `ACTIVITY_INTERVAL` seconds, with no query on the requests in between.

The access review shows the last activity, and the idle accounts are deactivated from it
(crsv.access.idle). A minute's precision would be plenty, so the write is rationed:

- **A browser session** keeps the time of its last write in the session itself, and writes only
  on a request whose session is saved anyway: the second-factor verification at sign-in (which
  writes the session), then, once the interval has passed, the next save of SessionTimeout-
  Middleware's own stamp (at most every 60 s: a user at work gets one within a minute). So it
  never costs a session write of its own, and a request adds no query but these two UPDATEs, at
  most once per interval. (The sign-in itself is `last_login`, which the idle rule reads too.)
- **An API bearer token** has no session, but its authentication statement loads the user's
  row and the token's (crsv.accounts.api.authentication): nothing is due while either her last
  activity or the token's issue (a sign-in with two factors, which the idle rule reads too) is
  less than the interval old, which costs no query and no Redis. When it is due, a per-user cache
  key (`cache.add`, one Redis round trip) lets one of the concurrent requests write. With Redis
  down, `add` answers False and nothing is written until it is back: minutes against days.

The write is one UPDATE by primary key (and one by the session's unique key), after the response
is built (so a view that signs the user out, or in, is seen), outside any transaction of the view.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from crsv.accounts.models import ApiToken, User, UserSession

ACTIVITY_INTERVAL = 5 * 60  # seconds
SESSION_ACTIVITY_AT = "_crsv_activity_at"


def activity_cache_key(user_id: int) -> str:
    return f"accounts:activity:{user_id}"


def user_activity_record(*, user_id: int, session_key: str | None = None) -> None:
    """Write the user's last activity, and her session's if any, as now."""
    now = timezone.now()
    User.objects.filter(pk=user_id).update(last_active_at=now)
    if session_key:
        UserSession.objects.filter(session_key=session_key).update(last_seen_at=now)


class ActivityMiddleware:
    """Records activity of signed-in users (module docstring). After AuthenticationMiddleware,
    OTPMiddleware and SessionTimeoutMiddleware (whose session saves it rides on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        # DRF sets `auth` (the ApiToken) on the Django request when a bearer token authenticated it.
        token = getattr(request, "auth", None)
        if isinstance(token, ApiToken):
            self._bearer_activity(user, token)
        elif hasattr(request, "session"):
            self._session_activity(request, user)
        return response

    def _session_activity(self, request: HttpRequest, user: Any) -> None:
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            return  # a password alone (second factor not passed) is not activity
        session = request.session
        if not session.modified:
            return  # no session write to ride on: the common case, and no query
        now = time.time()
        last = session.get(SESSION_ACTIVITY_AT)
        if last is not None and now - last < ACTIVITY_INTERVAL:
            return
        user_activity_record(user_id=user.pk, session_key=session.session_key)
        session[SESSION_ACTIVITY_AT] = now

    def _bearer_activity(self, user: Any, token: ApiToken) -> None:
        known = [moment for moment in (user.last_active_at, token.created_at) if moment is not None]
        if known and (timezone.now() - max(known)).total_seconds() < ACTIVITY_INTERVAL:
            return  # the common case: read with the token, no query
        if cache.add(activity_cache_key(user.pk), 1, timeout=ACTIVITY_INTERVAL):
            user_activity_record(user_id=user.pk)
