"""`Authorization: Bearer <token>` for API clients."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from crsv.accounts.models import ApiToken, User
from crsv.accounts.scope import SCOPE_COLUMNS, user_scope_prime
from crsv.accounts.services import api_token_hash

# The token, its user, and the user's scope in one statement (see crsv.accounts.scope).
_BEARER_LOOKUP_SQL = f"""
SELECT u.*,
       t.id AS token_pk, t.public_id AS token_public_id, t.created_at AS token_created_at,
       t.expires_at AS token_expires_at, t.auth_hash AS token_auth_hash,
       {SCOPE_COLUMNS}
FROM accounts_apitoken t
JOIN accounts_user u ON u.id = t.user_id
WHERE t.key_hash = %s AND t.revoked_at IS NULL
"""  # noqa: S608  # nosec B608  # constant SQL: no value is formatted into it


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header: use 'Bearer <token>'."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        key_hash = api_token_hash(raw)
        found = list(User.objects.raw(_BEARER_LOOKUP_SQL, [key_hash]))
        if not found or not found[0].is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = found[0]
        extra: Any = user  # the statement's other columns, set by Django as attributes
        if extra.token_expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("The token has expired; request a new one."))
        # A password change, second-factor reset or change of roles or offices since the token
        # was issued changed the user's auth hash: the token died with it.
        if not constant_time_compare(extra.token_auth_hash, user.get_session_auth_hash()):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user_scope_prime(user)
        token = ApiToken(
            pk=extra.token_pk,
            public_id=extra.token_public_id,
            user=user,
            key_hash=key_hash,
            created_at=extra.token_created_at,
            expires_at=extra.token_expires_at,
            auth_hash=extra.token_auth_hash,
            revoked_at=None,
        )
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, for the API only once it passed the second factor."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            return None  # treated as anonymous: 401
        return result
