"""The keep-alive ping: a form being typed keeps its session alive (issue 12 item 3).

static/js/keep_alive.js, loaded by every signed-in page (`{% keep_alive_script %}`), pings
`POST /accounts/keep-alive/` while the user types in a form, at most once per
`keep_alive_seconds()`. The idle timeout then counts from the ping
(crsv.middleware.SessionTimeoutMiddleware), never the absolute one: nothing here touches the
time of sign-in. The script is optional; a page works the same without it.

The ping is an ordinary signed-in request, CSRF-checked like any POST (another site cannot keep
a session alive), refused (a redirect to sign-in) once the session has expired; but that
refusal leaves the expired session in place, for the form's own post that may follow it at
once, to be kept as a draft (`crsv.expired_posts.spares_expired_session`).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crsv.expired_posts import spares_expired_session
from crsv.middleware import SESSION_LAST_SEEN

# Typing pings at most this often: often enough that the session, idle for a quarter of its
# timeout at most when the ping is sent, never expires under fingers still typing.
KEEP_ALIVE_MAX_SECONDS = 180


def keep_alive_seconds() -> int:
    """How often the script may ping: a quarter of the idle timeout, 3 minutes at most (every
    3 minutes for the 15-minute default), a second at least."""
    quarter = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 4)
    return max(1, min(KEEP_ALIVE_MAX_SECONDS, quarter))


@spares_expired_session
@never_cache
@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """204: the session is alive, and idle from now (not from the last minute's mark)."""
    request.session[SESSION_LAST_SEEN] = time.time()
    return HttpResponse(status=204)
