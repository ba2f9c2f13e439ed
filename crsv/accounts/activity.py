"""Last activity: `User.last_active_at` and the session's `UserSession.last_seen_at`, written at
most every `ACTIVITY_INTERVAL` seconds, with no query on the requests in between.

The access review shows the last activity, and the idle accounts are deactivated from it
(crsv.access.idle). A minute's precision would be plenty, so the write is rationed:

- **A browser session** keeps the time of its last write in the session itself. When it is due,
  the write waits for a request whose session is saved anyway (SessionTimeoutMiddleware saves
  its own stamp at most every 60 s: a user at work is one within a minute): no session write of
  its own. The session's first verified request writes at once.
- **An API bearer token** has no session: a per-user cache key (`cache.add`, one Redis round
  trip) decides, and this process remembers its own decision for the interval, so the other
  requests of that user to this process cost nothing. With Redis down, `add` answers False and
  nothing is written until it is back: minutes lost against a threshold of days.

The write is two UPDATEs by primary key or unique key, after the response is built (so a view
that signs the user out, or in, is seen), outside any transaction of the view.
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
# This process's memory of the bearer users it recently checked; emptied when it grows past this
# (a worker serves a few hundred users at most: the bound is only against a leak).
_MEMORY_LIMIT = 10_000


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
    OTPMiddleware and SessionTimeoutMiddleware (whose session stamp it piggybacks on)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # user id -> time.monotonic() before which this process does not ask the cache again
        self.bearer_checked: dict[int, float] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        # DRF sets `auth` (the ApiToken) on the Django request when a bearer token authenticated it.
        if isinstance(getattr(request, "auth", None), ApiToken):
            self._bearer_activity(user.pk)
        elif hasattr(request, "session"):
            self._session_activity(request, user)
        return response

    def _session_activity(self, request: HttpRequest, user: Any) -> None:
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            return  # a password alone (second factor not passed) is not activity
        session = request.session
        now = time.time()
        last = session.get(SESSION_ACTIVITY_AT)
        if last is not None and (now - last < ACTIVITY_INTERVAL or not session.modified):
            return
        user_activity_record(user_id=user.pk, session_key=session.session_key)
        session[SESSION_ACTIVITY_AT] = now

    def _bearer_activity(self, user_id: int) -> None:
        now = time.monotonic()
        if self.bearer_checked.get(user_id, 0.0) > now:
            return
        if len(self.bearer_checked) >= _MEMORY_LIMIT:
            self.bearer_checked.clear()
        self.bearer_checked[user_id] = now + ACTIVITY_INTERVAL
        if cache.add(activity_cache_key(user_id), 1, timeout=ACTIVITY_INTERVAL):
            user_activity_record(user_id=user_id)
