"""Signed-in browser sessions: the session engine (`SESSION_ENGINE`) and the `UserSession` rows
that let an administrator see a user's sessions and end them.

A row is written at sign-in (the `user_logged_in` receiver) and deleted with its session. A session's
key changes after sign-in: Django's `login()` cycles it, and so does passing the second factor
(crsv.accounts.two_factor), after the receiver ran. This engine is Django's database engine
whose `cycle_key` carries the row over to the new key, so the row always names the session the
browser holds, whichever code cycles it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.sessions.backends import db

from crsv.accounts.models import UserSession
from crsv.audit.services import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

    from crsv.accounts.models import User

USER_AGENT_LENGTH = UserSession._meta.get_field("user_agent").max_length or 200


class SessionStore(db.SessionStore):
    """Django's database sessions; a new key keeps its `UserSession` row, and a session deleted
    (sign-out, a sign-in over another user's session, an administrator) takes its row along."""

    def cycle_key(self) -> None:
        # Django's own steps (SessionBase.cycle_key), the row moved before the old key is deleted.
        data = self._session  # type: ignore[attr-defined]  # SessionBase._session: a property the stubs omit
        key = self.session_key
        self.create()
        self._session_cache = data
        if key:
            UserSession.objects.filter(session_key=key).update(session_key=self.session_key)
            self.delete(key)

    def delete(self, session_key: str | None = None) -> None:
        key = session_key or self.session_key
        super().delete(session_key)
        if key:
            UserSession.objects.filter(session_key=key).delete()

    @classmethod
    def clear_expired(cls) -> None:
        """`manage.py clearsessions`: the rows of the sessions it deleted go too."""
        super().clear_expired()
        UserSession.objects.exclude(
            session_key__in=cls.get_model_class().objects.values("session_key")
        ).delete()


def user_session_record(*, request: HttpRequest, user: User) -> UserSession | None:
    """Record the session `user` just signed in with (its key, client address and browser). A
    session that Django flushed at sign-in has no key yet: it is saved to get one, the one the
    response's cookie will carry. No session (a request without the middleware): nothing."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    if session.session_key is None:
        session.save()
    row, _created = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
        },
    )
    return row


def user_session_forget(*, request: HttpRequest) -> None:
    """Sign-out: the session's row goes (Django deletes the session itself)."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


def user_sessions_delete(*, user: User) -> int:
    """Delete every recorded session of `user`, in the session store and their rows: each
    ends at its next request. Returns how many there were. (The security stamp ends the
    sessions no row records, see crsv.accounts.services.user_credentials_end.)"""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    if keys:
        SessionStore.get_model_class().objects.filter(session_key__in=keys).delete()
        UserSession.objects.filter(user=user).delete()
    return len(keys)


def user_session_delete(*, row: UserSession) -> None:
    """End one session: its row in the session store, and its record."""
    SessionStore.get_model_class().objects.filter(session_key=row.session_key).delete()
    row.delete()
