"""Invitations (issue 12 item 1): an administrator invites a user, who sets her own password and
enrols her second factor from a single-use, expiring link e-mailed to her, so that no
administrator ever knows a user's password.

`invitation_send` creates the account (through `services.user_create`, so the rules of
`user_access_validate` and its audit row) with an unusable password and no second factor, and an
`Invitation` whose link is e-mailed through the notification outbox (kind `user.invitation`,
crsv.accounts.invitation_emails), in the invitee's language.

The link's token is `HMAC-SHA256(SECRET_KEY, salt + invitation.public_id)`, URL-safe base64 (43
characters, 256 bits), as the referrals' answer links (referrals/services/link_tokens.py): the
outbox renders the e-mail at delivery, in a worker, perhaps after a retry, so a token drawn at
random would have to wait in the outbox row or the task's arguments in clear. Derived from the
invitation's random public id under the server's key, it is recomputed at delivery, written into
the e-mail body only, and stored nowhere but as its SHA-256 (`Invitation.token_hash`): a copy of
the database opens no link. A resend is a new invitation (a new public id, so a new token).

`invitation_accept` locks the invitation row (`select_for_update`): of two posts of one link at
once, one sets the password and the other finds the link used. An unknown, used, revoked or
expired link, and the link of a deactivated account, are refused with one neutral message.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from crsv.accounts.access_rules import office_label
from crsv.accounts.models import FieldOffice, Invitation, Membership, User
from crsv.accounts.services import MSG_NOT_ALLOWED, user_access_validate, user_create, user_management_allowed
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record
from crsv.notifications.services import notification_enqueue

INVITATION_KIND = "user.invitation"
_SALT = "crsv.accounts.invitation"
_MAX_TOKEN_LENGTH = 128

MSG_REFUSED = _(
    "This invitation link cannot be used: it may have expired, been replaced by a newer one, or "
    "already been used. Ask your administrator to send you a new invitation."
)
MSG_ACCEPTED = _("This invitation was already accepted: the account is in use.")
MSG_INACTIVE = _("This account is deactivated: activate it before inviting its holder again.")
MSG_EMAIL_REQUIRED = _("An invitation is sent by e-mail: enter the address.")
MSG_ROLE_REQUIRED = _("Choose at least one role.")
MSG_USERNAME_TAKEN = _("A user with that username already exists.")


class InvitationState(StrEnum):
    PENDING = "pending"
    EXPIRED = "expired"
    ACCEPTED = "accepted"
    REVOKED = "revoked"


STATE_LABELS = {
    InvitationState.PENDING: _("Pending"),
    InvitationState.EXPIRED: _("Expired"),
    InvitationState.ACCEPTED: _("Accepted"),
    InvitationState.REVOKED: _("Revoked"),
}


class InvitationRefused(Exception):
    """A link that cannot be used (`status` 404: unknown; 410: used, revoked, expired, or its
    account deactivated). One message for all: the page does not tell which. Nothing changed."""

    def __init__(self, *, status: int, code: str) -> None:
        super().__init__(code)
        self.message = MSG_REFUSED
        self.status = status
        self.code = code


# --- the link's token ---------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The invitation's token, recomputed from its public id under the server's key."""
    digest = salted_hmac(_SALT, str(invitation.public_id), algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def invitation_token_hash(raw_token: str) -> str:
    """What is stored and looked up: the hex SHA-256 of the token."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def invitation_path(raw_token: str) -> str:
    """The accept page's path (public: crsv.urls.PUBLIC_PREFIXES); masked in the logs (crsv.logs)."""
    return reverse("accounts:invitation_accept", kwargs={"token": raw_token})


def lifetime_hours() -> int:
    """How long a link works, in hours (settings.INVITATION_LIFETIME)."""
    return int(settings.INVITATION_LIFETIME.total_seconds() // 3600)


def invitation_state(invitation: Invitation, *, now: datetime | None = None) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= (now or timezone.now()):
        return InvitationState.EXPIRED
    return InvitationState.PENDING


# --- sending ------------------------------------------------------------------------------------


def _authorize(actor: Any) -> None:
    if not user_management_allowed(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)


def _errors_merge(errors: dict[str, list[ValidationError]], error: ValidationError) -> None:
    for field, messages in error.error_dict.items():
        errors.setdefault(field, []).extend(messages)


def _invitation_issue(
    *, user: User, actor: Any, request: HttpRequest | None, changes: Mapping[str, Any]
) -> Invitation:
    """A new invitation of `user`, its e-mail enqueued in the caller's transaction, audited.
    The token goes nowhere from here: the e-mail's context recomputes it at delivery."""
    invitation = Invitation(
        user=user, invited_by=actor, expires_at=timezone.now() + settings.INVITATION_LIFETIME
    )
    invitation.token_hash = invitation_token_hash(invitation_token(invitation))
    invitation.save()
    notification_enqueue(
        kind=INVITATION_KIND,
        recipients=[user.email],  # the address, not the user: no in-app copy of the link
        obj=invitation,
        email_language=user.language,
        idempotency_key=f"{INVITATION_KIND}:{invitation.public_id}",
        request=request,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.USER_INVITED,
        obj=user,
        request=request,
        changes={
            "invitation": str(invitation.public_id),
            "expires_at": invitation.expires_at.isoformat(),
            **changes,
        },
    )
    return invitation


@transaction.atomic
def invitation_send(
    *,
    actor: Any,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    language: str,
    roles: Iterable[str],
    offices: Mapping[FieldOffice, date | None],
    request: HttpRequest | None = None,
) -> Invitation:
    """Create the user `username` (unusable password, no second factor) with these roles and
    field offices (each with an optional last day, `Membership.ends_on`), as `actor`, and e-mail
    her an invitation in `language`. PermissionDenied unless the actor manages users;
    ValidationError with one message per field (username, email, language, roles, offices,
    ends_on, ...)."""
    _authorize(actor)
    roles, offices = set(roles), dict(offices)
    user = User(
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        language=language,
        is_active=True,
    )
    user.set_unusable_password()
    errors: dict[str, list[ValidationError]] = {}
    try:
        user.full_clean(exclude=["password"])  # username rules and uniqueness, e-mail, language
    except ValidationError as error:
        _errors_merge(errors, error)
    if not user.email:
        errors.setdefault("email", []).append(ValidationError(MSG_EMAIL_REQUIRED, code="required"))
    if not roles:
        errors.setdefault("roles", []).append(ValidationError(MSG_ROLE_REQUIRED, code="required"))
    try:  # the end dates too: not in the past, in each office's own time zone
        user_access_validate(
            actor=actor,
            user=None,
            roles=roles,
            offices=list(offices),
            is_active=True,
            ends_on={office.pk: ends_on for office, ends_on in offices.items()},
        )
    except ValidationError as error:
        _errors_merge(errors, error)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # a username taken meanwhile by a concurrent invitation
            user_create(actor=actor, user=user, roles=roles, offices=list(offices), request=request)
    except IntegrityError:
        raise ValidationError({"username": [ValidationError(MSG_USERNAME_TAKEN, code="unique")]}) from None
    # user_create takes no end dates (yet): they are written here, validated above by the rules,
    # and audited in the invitation's row.
    for office, ends_on in offices.items():
        if ends_on is not None:
            Membership.objects.filter(user=user, field_office=office).update(ends_on=ends_on)
    ends = {office_label(office): ends_on.isoformat() for office, ends_on in offices.items() if ends_on}
    return _invitation_issue(
        user=user, actor=actor, request=request, changes={"ends_on": ends} if ends else {}
    )


def _revoke(*, invitation: Invitation, actor: Any, request: HttpRequest | None, now: datetime) -> None:
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.INVITATION_REVOKED,
        obj=invitation.user,
        request=request,
        changes={"invitation": str(invitation.public_id)},
    )


@transaction.atomic
def invitation_resend(
    *, actor: Any, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    """A new link for the invitation's user (a lost or expired e-mail): her open links are
    revoked, a new invitation is e-mailed. Refused (ValidationError) once she has accepted one,
    or while her account is deactivated. Her invitations are locked, so a resend and an accept
    at once are served one after the other."""
    _authorize(actor)
    rows = list(Invitation.objects.select_for_update().filter(user_id=invitation.user_id).order_by("id"))
    user = User.objects.get(pk=invitation.user_id)
    if any(row.accepted_at is not None for row in rows):
        raise ValidationError(MSG_ACCEPTED, code="accepted")
    if not user.is_active:
        raise ValidationError(MSG_INACTIVE, code="inactive")
    now = timezone.now()
    replaced = []
    for row in rows:
        if row.revoked_at is None:
            row.user = user
            _revoke(invitation=row, actor=actor, request=request, now=now)
            replaced.append(str(row.public_id))
    return _invitation_issue(user=user, actor=actor, request=request, changes={"replaces": replaced})


@transaction.atomic
def invitation_revoke(*, actor: Any, invitation: Invitation, request: HttpRequest | None = None) -> bool:
    """Void the invitation's link (the account stays, with no usable password). False if it was
    revoked already; ValidationError if it was accepted."""
    _authorize(actor)
    locked = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(MSG_ACCEPTED, code="accepted")
    if locked.revoked_at is not None:
        return False
    _revoke(invitation=locked, actor=actor, request=request, now=timezone.now())
    return True


# --- accepting ----------------------------------------------------------------------------------


def _usable(raw_token: str, *, lock: bool) -> Invitation:
    """The pending invitation of this token, or InvitationRefused."""
    if not raw_token or len(raw_token) > _MAX_TOKEN_LENGTH:
        raise InvitationRefused(status=404, code="unknown")
    rows = Invitation.objects.filter(token_hash=invitation_token_hash(raw_token))
    if lock:
        rows = rows.select_for_update()
    invitation = rows.first()
    if invitation is None:
        raise InvitationRefused(status=404, code="unknown")
    state = invitation_state(invitation)
    if state != InvitationState.PENDING:
        raise InvitationRefused(status=410, code=state.value)
    return invitation


def invitation_get(raw_token: str) -> Invitation:
    """The pending invitation the link names, with its user (the page shows her username), or
    InvitationRefused: unknown, used, revoked, expired, or the account deactivated."""
    invitation = _usable(raw_token, lock=False)
    user = User.objects.get(pk=invitation.user_id)
    if not user.is_active:
        raise InvitationRefused(status=410, code="inactive")
    invitation.user = user
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, request: HttpRequest | None = None) -> User:
    """Set the invited user's password (Django's validators: ValidationError keyed `password`)
    and spend the link, once: the invitation row is locked, so of two posts at once one wins and
    the other is refused as used. The user row is locked too, so a deactivation committed first
    is seen. Audited with the user as the actor. The caller signs her in; her second factor is
    enrolled next (crsv.accounts.two_factor)."""
    invitation = _usable(token, lock=True)
    user = User.objects.select_for_update().get(pk=invitation.user_id)
    if not user.is_active:
        raise InvitationRefused(status=410, code="inactive")
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    now = timezone.now()
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    audit_record(
        actor=user,
        action=AuditEvent.Action.INVITATION_ACCEPTED,
        obj=user,
        request=request,
        changes={"invitation": str(invitation.public_id)},
    )
    return user
