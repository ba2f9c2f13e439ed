"""A form posted after its session expired: kept as a draft, offered back after sign-in.

The session middleware (`crsv.middleware.SessionTimeoutMiddleware`) ends a session idle for
`SESSION_IDLE_TIMEOUT` or older than `SESSION_ABSOLUTE_TIMEOUT`. A page whose form may take
longer than that to type (the incident intake, on a slow link) marks its view with
`keeps_expired_post(keep)`: when that form is posted on an expired session, `keep(request)`
runs before the sign-out, as the session's user, and keeps what was typed as a draft through
the app's own service, in the app's own table: never in the session, the cache or a log. It
returns a `KeptDraft`, which the new, signed-out session remembers (its address only) and
offers back once the same user has signed in again.

`keep` runs only while the expired session still proves who posted:
- it loaded a user at all (Django's AuthenticationMiddleware): its auth hash still matches her
  password and security stamp (a password change, a second-factor reset, a change of roles or
  offices, all void it), her account is active, and no administrator ended the session;
- it had passed the second factor;
- the post's CSRF token is good (checked here, as CsrfViewMiddleware would before the view).
Her role is the app service's to check, as for any write (PermissionDenied: nothing kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, ResolverMatch, resolve
from django.utils.html import format_html
from django.utils.translation import gettext as _

# In the signed-out session: whose draft, and where it is (no value typed into it).
SESSION_KEPT_DRAFT = "_crsv_kept_draft"
_KEEP_ATTRIBUTE = "crsv_keep_expired_post"
_SPARE_ATTRIBUTE = "crsv_spares_expired_session"

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class KeptDraft:
    """Where the kept draft opens, and the translated sentence that offers it (the link,
    "open it", follows it)."""

    url: str
    offer: str


Keep = Callable[[HttpRequest], KeptDraft | None]


def keeps_expired_post(keep: Keep) -> Callable[[View], View]:
    """Mark a view whose form, posted after the session expired, is kept by `keep(request)`
    (see the module's docstring). Put it above the view's other decorators."""

    def mark(view: View) -> View:
        setattr(view, _KEEP_ATTRIBUTE, keep)
        return view

    return mark


def spares_expired_session(view: View) -> View:
    """Mark a view that, on an expired session, is refused (sent to sign in) without ending the
    session: the keep-alive ping. A ping sent as she comes back to a form after the timeout
    (a keystroke, a field left for the submit button) races the form's own post; were the ping
    to end the session, the post would find none to prove who sent it, and would be lost. The
    session serves nothing else meanwhile: every request finds it expired."""
    setattr(view, _SPARE_ATTRIBUTE, True)
    return view


def _match(request: HttpRequest) -> ResolverMatch | None:
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def expired_session_spared(request: HttpRequest) -> bool:
    """Whether the expired session must outlive this request (`spares_expired_session`)."""
    match = _match(request)
    return match is not None and getattr(match.func, _SPARE_ATTRIBUTE, False)


def expired_post_keep(request: HttpRequest, *, csrf: CsrfViewMiddleware) -> KeptDraft | None:
    """On a session found expired, before it is ended: keep the posted form if its view asks
    for it and the session still proves who posted it. None when nothing was kept."""
    user: Any = request.user
    if request.method != "POST" or not user.is_authenticated or not user.is_verified():
        return None
    match = _match(request)
    if match is None:
        return None
    keep: Keep | None = getattr(match.func, _KEEP_ATTRIBUTE, None)
    if keep is None:
        return None
    if csrf.process_view(request, match.func, match.args, match.kwargs) is not None:
        return None  # a forged or stale post: the refusal is logged by Django (django.security.csrf)
    try:
        return keep(request)
    except PermissionDenied:  # her role no longer allows it: nothing kept
        return None


def kept_draft_remember(request: HttpRequest, *, user_id: Any, kept: KeptDraft) -> None:
    """In the new, signed-out session: offer `kept` to `user_id` once she signs in again."""
    request.session[SESSION_KEPT_DRAFT] = {"user": str(user_id), "url": kept.url, "offer": kept.offer}
    text = _("Your session expired. What you were typing was saved as a draft: sign in again to open it.")
    messages.info(request, text)


def kept_draft_offer(request: HttpRequest) -> None:
    """On a signed-in, verified page: offer the draft kept from her expired session, once. A
    draft kept for someone else (another person signed in at the same browser) is forgotten."""
    session = request.session
    if SESSION_KEPT_DRAFT not in session or request.method != "GET":
        return
    kept = session.pop(SESSION_KEPT_DRAFT)
    if not isinstance(kept, dict) or kept.get("user") != str(request.user.pk):
        return
    messages.info(request, format_html('{} <a href="{}">{}</a>', kept["offer"], kept["url"], _("open it")))
