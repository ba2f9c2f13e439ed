"""Reads for the access pages: the users an administrator manages, filtered and paged, and one
user's memberships, sessions, API tokens and lockout. Accounts only: never survivor data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from crsv.accounts.models import ApiToken, AuthenticatorDevice, FieldOffice, Membership, User, UserSession
from crsv.accounts.roles import Capability, role_label
from crsv.pagination import Keyset, keyset_page

PAGE_SIZE = 50
TOKENS_SHOWN = 50
BY_USERNAME = Keyset.of(User, ("username", "id"))
NO_ROLE = "none"


def users_authorize(user: User) -> None:
    """PermissionDenied unless `user` manages users (the admin role): the access pages ask here
    first, like the auditor's trail page asks `trail_authorize`."""
    if not user.can(Capability.MANAGE_USERS):
        raise PermissionDenied


def users_visible_to(user: User) -> QuerySet[User]:
    """Every account for an administrator (users are managed mission-wide, as in the admin
    site), none for anyone else."""
    if not user.can(Capability.MANAGE_USERS):
        return User.objects.none()
    return User.objects.all()


def office_key(office: FieldOffice) -> str:
    """An office as the pages name it in a form or a query (`MONUSCO-GOM`): no integer key."""
    return f"{office.mission.code}-{office.code}"


def offices_all() -> list[FieldOffice]:
    return list(FieldOffice.objects.select_related("mission").order_by("mission__code", "name"))


def _locked_q() -> Exists:
    """An account refused sign-in now from some address (crsv.accounts.selectors.lockouts_in_force)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return Exists(
        AccessAttempt.objects.filter(
            username=OuterRef("username"),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        )
    )


def _two_factor_q() -> Exists:
    return Exists(AuthenticatorDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True))


@dataclass(frozen=True)
class UserFilter:
    """What the administrator narrows the list to; every part optional."""

    text: str = ""  # words, each found in the username, a name or the e-mail
    role: str = ""  # a role, or NO_ROLE
    office_id: int | None = None
    inactive_days: int | None = None  # no activity for this many days (new accounts excepted)
    never_active: bool = False
    two_factor: bool | None = None
    locked: bool | None = None
    active: bool | None = None


@dataclass(frozen=True)
class OfficeLine:
    name: str
    mission: str
    ends_on: date | None


@dataclass(frozen=True)
class UserRow:
    """One line of the users list."""

    public_id: uuid.UUID
    username: str
    name: str
    roles: list[str]
    offices: list[OfficeLine]
    last_active_at: datetime | None
    two_factor: bool
    locked: bool
    is_active: bool
    is_superuser: bool


def _memberships() -> Any:  # a Prefetch (django-stubs types its lookup, not its model)
    ordered = Membership.objects.select_related("field_office__mission").order_by(
        "field_office__mission__code", "field_office__name"
    )
    return Prefetch("memberships", queryset=ordered)


def office_lines(memberships: list[Membership]) -> list[OfficeLine]:
    return [
        OfficeLine(name=m.field_office.name, mission=m.field_office.mission.code, ends_on=m.ends_on)
        for m in memberships
    ]


def _row(user: User) -> UserRow:
    return UserRow(
        public_id=user.public_id,
        username=user.username,
        name=user.get_full_name(),
        roles=sorted(role_label(group.name) for group in user.groups.all()),  # prefetched
        offices=office_lines(list(user.memberships.all())),  # prefetched
        last_active_at=user.last_active_at,
        two_factor=user.has_two_factor,  # type: ignore[attr-defined]  # annotated
        locked=user.is_locked,  # type: ignore[attr-defined]  # annotated
        is_active=user.is_active,
        is_superuser=user.is_superuser,
    )


def _filtered(users: QuerySet[User], filters: UserFilter) -> QuerySet[User]:
    for word in filters.text.split():
        users = users.filter(
            Q(username__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
        )
    if filters.role == NO_ROLE:
        users = users.filter(groups__isnull=True)
    elif filters.role:
        users = users.filter(groups__name=filters.role)
    if filters.office_id is not None:
        users = users.filter(memberships__field_office_id=filters.office_id)
    if filters.inactive_days is not None:
        since = timezone.now() - timedelta(days=filters.inactive_days)
        users = users.filter(
            Q(last_active_at__lt=since) | Q(last_active_at__isnull=True, date_joined__lt=since)
        )
    if filters.never_active:
        users = users.filter(last_active_at__isnull=True)
    if filters.two_factor is not None:
        users = users.filter(_two_factor_q() if filters.two_factor else ~_two_factor_q())
    if filters.locked is not None:
        users = users.filter(_locked_q() if filters.locked else ~_locked_q())
    if filters.active is not None:
        users = users.filter(is_active=filters.active)
    return users


def user_list(
    *, user: User, filters: UserFilter, cursor: str | None = None, size: int = PAGE_SIZE
) -> tuple[list[UserRow], str | None]:
    """One page of the accounts `user` manages, by username, narrowed by `filters`: three
    queries whatever the page's size (the rows, their roles, their memberships). BadCursor on a
    cursor this list did not make."""
    users = _filtered(
        users_visible_to(user).annotate(has_two_factor=_two_factor_q(), is_locked=_locked_q()), filters
    ).prefetch_related("groups", _memberships())
    page = keyset_page(users, cursor=cursor, size=size, keyset=BY_USERNAME)
    return [_row(row) for row in page.rows], page.next_cursor


def user_get(*, user: User, public_id: uuid.UUID) -> User:
    """One account `user` manages, with `has_two_factor` and `is_locked`; Http404 if none."""
    users = users_visible_to(user).annotate(has_two_factor=_two_factor_q(), is_locked=_locked_q())
    return get_object_or_404(users.prefetch_related("groups", _memberships()), public_id=public_id)


def user_sessions(*, target: User) -> list[UserSession]:
    """Her signed-in browser sessions still in the session store, newest first."""
    live = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=timezone.now())
    return list(UserSession.objects.filter(Exists(live), user=target).order_by("-created_at", "-id"))


def user_tokens(*, target: User) -> list[ApiToken]:
    """Her newest API tokens (TOKENS_SHOWN at most), revoked and expired ones too."""
    return list(ApiToken.objects.filter(user=target).order_by("-created_at", "-id")[:TOKENS_SHOWN])


def user_lockouts(*, target: User) -> int:
    """How many addresses her name is locked out from now."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        username=target.username,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
    ).count()


def user_attempts(*, target: User) -> int:
    """Her failed sign-in attempt rows (locking or not): what "unlock" clears."""
    return AccessAttempt.objects.filter(username=target.username).count()
