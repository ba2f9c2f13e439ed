"""Writes on accounts: API tokens, memberships, the end of a user's sessions and tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from crsv.accounts.models import ApiToken, FieldOffice, Membership, User
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record


def api_token_hash(raw: str) -> str:
    """Tokens are 256-bit random strings, so a plain SHA-256 suffices (no slow KDF needed)."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, user: User, request: HttpRequest | None = None) -> tuple[str, ApiToken]:
    """Create a token for `user`; return the raw token (shown once) and its row."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=api_token_hash(raw),
        auth_hash=user.get_session_auth_hash(),
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    audit_record(actor=user, action=AuditEvent.Action.TOKEN_ISSUED, obj=token, request=request)
    return raw, token


@transaction.atomic
def membership_ensure(*, user: User, field_office: FieldOffice) -> Membership:
    membership, _ = Membership.objects.get_or_create(user=user, field_office=field_office)
    return membership


def user_credentials_end(*, user: User) -> int:
    """End every session and every API token of `user`, on their next request.

    A new security stamp changes the user's session auth hash, which every session and every
    token carries (see `User._get_session_auth_hash`); the tokens are also marked revoked so the
    record says so. Called in the caller's transaction by every change that must end them: a
    password change, a second-factor reset, a change of roles or field offices. Returns the
    number of tokens revoked.
    """
    user.security_stamp = uuid.uuid4()
    User.objects.filter(pk=user.pk).update(security_stamp=user.security_stamp)
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
