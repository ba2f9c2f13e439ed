"""An administrator ends a user's credentials: one browser session, every session and API
token, one API token; resets her second factor; lifts her sign-in lockout.

Each service authorizes (the admin role; a superuser is shown but managed on the server only),
locks the user's and the actor's rows (crsv.accounts.access_rules.actor_lock_check), writes and
audits in one transaction. What ends takes effect on the user's next request: a session whose row
is gone from the session store is signed out, a revoked token is refused.
"""

from __future__ import annotations

import uuid
from typing import Any

from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts import two_factor
from crsv.accounts.access_rules import (
    MSG_NOT_ALLOWED,
    MSG_SUPERUSER,
    actor_lock_check,
    user_management_allowed,
)
from crsv.accounts.browser_sessions import user_session_delete
from crsv.accounts.models import ApiToken, User, UserSession
from crsv.accounts.services import lockout_clear, user_credentials_end
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record

MSG_OWN_TWO_FACTOR = _("You cannot reset your own second factor: ask another administrator.")


def _target_lock(*, actor: Any, user: User) -> User:
    """The user, locked, once the actor may manage her; PermissionDenied if not."""
    if not user_management_allowed(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    locked = actor_lock_check(actor=actor, user=user)
    if locked.is_superuser:
        raise PermissionDenied(MSG_SUPERUSER)
    return locked


@transaction.atomic
def user_session_end(*, actor: Any, user: User, session_id: int, request: HttpRequest | None = None) -> None:
    """End one browser session of `user` (the id of her `UserSession` row). A session that is
    not hers, or already ended, raises UserSession.DoesNotExist (the page's 404)."""
    locked = _target_lock(actor=actor, user=user)
    row = UserSession.objects.select_for_update().get(user=locked, pk=session_id)
    signed_in_at, ip_address = row.created_at, row.ip_address
    user_session_delete(row=row)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.SESSION_ENDED,
        obj=locked,
        request=request,
        changes={"signed_in_at": signed_in_at.isoformat(), "client_address": ip_address},
    )


@transaction.atomic
def user_sessions_end(*, actor: Any, user: User, request: HttpRequest | None = None) -> AuditEvent:
    """End every session and every API token of `user` (`user_credentials_end`: the recorded
    sessions are deleted, the others end by the new security stamp); audited with the counts."""
    locked = _target_lock(actor=actor, user=user)
    sessions = UserSession.objects.filter(user=locked).count()
    tokens = user_credentials_end(user=locked)
    return audit_record(
        actor=actor,
        action=AuditEvent.Action.SESSIONS_ENDED,
        obj=locked,
        request=request,
        changes={"sessions": sessions, "tokens_revoked": tokens},
    )


@transaction.atomic
def user_api_token_revoke(
    *, actor: Any, user: User, token_public_id: uuid.UUID, request: HttpRequest | None = None
) -> bool:
    """Revoke one API token of `user`: refused from its next use. A token that is not hers
    raises ApiToken.DoesNotExist; one already revoked returns False (nothing written)."""
    locked = _target_lock(actor=actor, user=user)
    token = ApiToken.objects.get(user=locked, public_id=token_public_id)
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.API_TOKEN_REVOKED,
            obj=locked,
            request=request,
            changes={"token": str(token.public_id)},
        )
    return bool(revoked)


@transaction.atomic
def user_two_factor_reset(*, actor: Any, user: User, request: HttpRequest | None = None) -> None:
    """Remove `user`'s authenticator and recovery codes (a lost phone): every session and API
    token of hers ends, and she enrols again at her next sign-in
    (`two_factor.two_factor_reset`). Not one's own: whoever holds an administrator's open
    session could otherwise enrol a phone of her own on that account."""
    locked = _target_lock(actor=actor, user=user)
    if locked.pk == actor.pk:
        raise PermissionDenied(MSG_OWN_TWO_FACTOR)
    two_factor.two_factor_reset(actor=actor, user=locked, request=request)


@transaction.atomic
def user_lockout_end(*, actor: Any, user: User, request: HttpRequest | None = None) -> int:
    """Lift every sign-in lockout of `user` (django-axes' attempts counted against her name,
    from any address: `lockout_clear`, one audit row each). Returns how many were cleared."""
    locked = _target_lock(actor=actor, user=user)
    attempts = AccessAttempt.objects.select_for_update().filter(username=locked.username)
    return lockout_clear(actor=actor, attempts=attempts, request=request)
