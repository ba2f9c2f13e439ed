"""Reads of invitations done for a user: the administrator's list (crsv.access)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from crsv.accounts.invitations import STATE_LABELS, InvitationState, invitation_state
from crsv.accounts.models import Invitation
from crsv.accounts.services import MSG_NOT_ALLOWED, user_management_allowed
from crsv.pagination import Keyset, keyset_page

PAGE_SIZE = 50
NEWEST_FIRST = Keyset.of(Invitation, ("-created_at", "-id"))


def invitations_authorize(user: Any) -> None:
    """PermissionDenied unless `user` manages users (the admin role): the page asks here first."""
    if not user_management_allowed(user):
        raise PermissionDenied(MSG_NOT_ALLOWED)


def invitations_visible_to(user: Any) -> QuerySet[Invitation]:
    """Every invitation for an administrator (users are not scoped by mission), none otherwise."""
    if not user_management_allowed(user):
        return Invitation.objects.none()
    return Invitation.objects.all()


@dataclass(frozen=True)
class InvitationRow:
    """One line of the list: whom, by whom, when, its state, and which buttons it has."""

    public_id: Any
    user_public_id: Any
    username: str
    full_name: str
    email: str
    user_active: bool
    invited_by: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    state: InvitationState
    state_label: str
    can_resend: bool
    can_revoke: bool


def _state_filter(state: str, now: datetime) -> Q:
    open_ = Q(accepted_at__isnull=True, revoked_at__isnull=True)
    filters: dict[str, Q] = {
        InvitationState.PENDING: open_ & Q(expires_at__gt=now),
        InvitationState.EXPIRED: open_ & Q(expires_at__lte=now),
        InvitationState.ACCEPTED: Q(accepted_at__isnull=False),
        InvitationState.REVOKED: Q(revoked_at__isnull=False, accepted_at__isnull=True),
    }
    return filters.get(state, Q(revoked_at__isnull=True))  # "": all but the revoked


def _row(invitation: Any, now: datetime) -> InvitationRow:
    user = invitation.user
    state = invitation_state(invitation, now=now)
    reinvitable = user.is_active and not invitation.user_accepted
    return InvitationRow(
        public_id=invitation.public_id,
        user_public_id=user.public_id,
        username=user.username,
        full_name=user.get_full_name(),
        email=user.email,
        user_active=user.is_active,
        invited_by=invitation.invited_by.username if invitation.invited_by else "",
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        accepted_at=invitation.accepted_at,
        state=state,
        state_label=str(STATE_LABELS[state]),
        can_resend=reinvitable and state != InvitationState.ACCEPTED,
        can_revoke=state in (InvitationState.PENDING, InvitationState.EXPIRED),
    )


def invitation_list(
    *, user: Any, state: str = "", cursor: str | None = None, size: int = PAGE_SIZE
) -> tuple[list[InvitationRow], str | None]:
    """One keyset page of the invitations, newest first, in `state` ("" for all but the revoked):
    one query, with the invitee, the inviter and whether the invitee has accepted any invitation.
    BadCursor on a cursor this list did not make."""
    now = timezone.now()
    accepted = Invitation.objects.filter(user_id=OuterRef("user_id"), accepted_at__isnull=False)
    rows = (
        invitations_visible_to(user)
        .filter(_state_filter(state, now))
        .select_related("user", "invited_by")
        .annotate(user_accepted=Exists(accepted))
    )
    page = keyset_page(rows, cursor=cursor, size=size, keyset=NEWEST_FIRST)
    return [_row(invitation, now) for invitation in page.rows], page.next_cursor
