"""An API client ends its own token (`DELETE /api/v1/auth/token/`).

Kept apart from crsv.accounts.services only while that module is being changed by other work;
it is the same kind of use case (authorize, write, audit) and can move there.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from crsv.accounts.models import ApiToken, User
from crsv.audit.services import audit_record

TOKEN_REVOKED = "token_revoked"  # noqa: S105  (an audit action name)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, request: HttpRequest | None = None) -> bool:
    """Revoke `token`, which must be the actor's own (the one her request came with): it is
    refused from its next use. Returns False if it was already revoked (nothing written)."""
    if token.user_id != actor.pk:
        raise ApiToken.DoesNotExist
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit_record(actor=actor, action=TOKEN_REVOKED, obj=token, request=request)
    return bool(revoked)
