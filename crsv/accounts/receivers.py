"""Audit sign-ins, sign-outs, failed sign-ins and lockouts; remember the office time zone at
sign-in; record the signed-in browser session (crsv.accounts.browser_sessions)."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from crsv.accounts.browser_sessions import user_session_forget, user_session_record
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record
from crsv.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT, SESSION_TIME_ZONE


@receiver(user_logged_in, dispatch_uid="crsv-audit-login")
def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    office = user.primary_office()
    if office is not None:
        request.session[SESSION_TIME_ZONE] = office.time_zone
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, obj=user, request=request)
    # The session's key changes again when the second factor is passed: the row follows it
    # (crsv.accounts.browser_sessions.SessionStore.cycle_key).
    user_session_record(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="crsv-audit-logout")
def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    user_session_forget(request=request)
    if user is not None:
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="crsv-audit-login-failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The typed username is kept only as the account it names, if any: a mistyped value could
    # be a password or anything else, and must not land in the trail.
    account = get_user_model().objects.filter(username=credentials.get("username", "")).first()
    audit_record(
        actor=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        object_type="accounts.user" if account else "",
        object_public_id=account.public_id if account else None,
        request=request,
    )


LOGIN_LOCKED_OUT = AuditEvent.Action.LOGIN_LOCKED_OUT


@receiver(user_locked_out, dispatch_uid="crsv-audit-locked-out")
def on_locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    """A refused attempt of a locked-out username and address (django-axes). `username` is the
    lockout name (crsv.accounts.lockout.lockout_username): the account it names, if any, is kept,
    never what was typed."""
    account = get_user_model().objects.filter(username=username or "").first()
    audit_record(
        actor=None,
        action=LOGIN_LOCKED_OUT,
        object_type="accounts.user" if account else "",
        object_public_id=account.public_id if account else None,
        request=request,
    )
