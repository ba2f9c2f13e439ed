"""Writes on accounts: API tokens, memberships, users' access (roles, offices, active flag,
password set by an administrator), the end of a user's sessions and tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from crsv.accounts.access_rules import (
    MSG_ADMIN_ALONE,
    MSG_NOT_ALLOWED,
    MSG_STALE,
    MSG_SUPERUSER,
    PROFILE_FIELDS,
    STAFF_ROLES,
    EndDates,
    access_version,
    actor_lock_check,
    user_access_validate,
    user_management_allowed,
)
from crsv.accounts.access_rules import access_of as _access_of
from crsv.accounts.browser_sessions import user_sessions_delete
from crsv.accounts.models import ApiToken, FieldOffice, Membership, User
from crsv.accounts.roles import Role
from crsv.audit.models import AuditEvent
from crsv.audit.services import audit_record

__all__ = [
    "MSG_NOT_ALLOWED",
    "PROFILE_FIELDS",
    "api_token_hash",
    "api_token_issue",
    "lockout_clear",
    "user_access_change",
    "user_access_validate",
    "user_active_set",
    "user_admin_designate",
    "user_create",
    "user_credentials_end",
    "user_management_allowed",
    "user_password_set",
    "user_password_set_check",
]


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
    # Their recorded sessions go at once, so an administrator's page no longer lists them.
    user_sessions_delete(user=user)
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Users' access: the one way to change who may do what, and where ---------------------------
# The rules are crsv.accounts.access_rules' (its names are kept here for the admin site).


def _access_write(
    *, user: User, roles: set[str], offices: list[FieldOffice], ends_on: EndDates | None = None
) -> None:
    """Give `user` exactly these roles and memberships; `ends_on` sets each membership's end
    date (an office it leaves out: none), None keeps the stored ones (a new membership: none)."""
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in sorted(roles)])
    office_ids = {office.pk for office in offices}
    Membership.objects.filter(user=user).exclude(field_office_id__in=office_ids).delete()
    existing = dict(Membership.objects.filter(user=user).values_list("field_office_id", "ends_on"))
    ends = ends_on or {}
    Membership.objects.bulk_create(
        [
            Membership(user=user, field_office_id=pk, ends_on=ends.get(pk))
            for pk in sorted(office_ids - set(existing))
        ]
    )
    if ends_on is not None:
        for pk, stored in existing.items():
            if ends.get(pk) != stored:
                Membership.objects.filter(user=user, field_office_id=pk).update(ends_on=ends.get(pk))
    for cached in ("_role_names", "_office_ids", "_mission_ids"):
        user.__dict__.pop(cached, None)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {"before": before.get(key), "after": after[key]}
        for key in after
        if before.get(key) != after[key]
    }


# What a new user's access is "before" in her creation's audit row.
_EMPTY: dict[str, Any] = {"roles": [], "offices": [], "office_end_dates": {}, "is_active": None}


@transaction.atomic
def user_create(
    *,
    actor: Any,
    user: User,
    roles: Iterable[str],
    offices: Iterable[FieldOffice],
    request: HttpRequest | None = None,
) -> User:
    """Save the new, unsaved `user` (username, names, e-mail, active flag and password hash set
    by the caller's form) with these roles and offices; audited with the names given."""
    roles, offices = set(roles), list(offices)
    user_access_validate(actor=actor, user=None, roles=roles, offices=offices, is_active=user.is_active)
    user.is_superuser = False
    user.is_staff = bool(roles & STAFF_ROLES)
    user.save()
    _access_write(user=user, roles=roles, offices=offices)
    after = _access_of(user)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.USER_CREATED,
        obj=user,
        request=request,
        changes={
            key: {"before": _EMPTY.get(key), "after": value}
            for key, value in after.items()
            if value or key != "office_end_dates"  # no end date: as before end dates existed
        },
    )
    return user


@transaction.atomic
def user_access_change(
    *,
    actor: Any,
    user: User,
    roles: Iterable[str],
    offices: Iterable[FieldOffice],
    is_active: bool,
    ends_on: EndDates | None = None,
    expected_version: str | None = None,
    profile: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent | None:
    """Give `user` exactly these roles, field offices (with these end dates, by office id; None
    keeps the stored ones) and active flag (and, from the admin form, new `profile` values:
    username, names, e-mail), as `actor`.

    Locks the user's and the actor's rows (`actor_lock_check`); refuses a change made from a
    form built on another state than the stored one (`expected_version`, see
    `access_version`); authorizes and validates (`user_access_validate`), writes, ends every
    session and token of the user when her roles or offices change or she is deactivated (a
    moved end date changes nothing today: they live on), and writes one AuditEvent with the
    names and end dates before and after, all in one transaction. `is_staff` follows from the
    roles. Returns the audit row, or None when nothing changed.
    """
    roles, offices = set(roles), list(offices)
    if not user_management_allowed(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    locked = actor_lock_check(actor=actor, user=user)
    before = _access_of(locked)
    if expected_version is not None and expected_version != access_version(before):
        raise ValidationError(MSG_STALE, code="stale")
    user_access_validate(
        actor=actor, user=locked, roles=roles, offices=offices, is_active=is_active, ends_on=ends_on
    )
    changed_profile = sorted(
        name
        for name, value in (profile or {}).items()
        if name in PROFILE_FIELDS and getattr(locked, name) != value
    )
    for name in changed_profile:
        setattr(user, name, (profile or {})[name])
    user.is_active = is_active
    user.is_staff = bool(roles & STAFF_ROLES)
    user.save(update_fields=["is_active", "is_staff", *changed_profile])
    _access_write(user=user, roles=roles, offices=offices, ends_on=ends_on)
    after = _access_of(user)
    changes = _changes(before, after)
    if locked.is_staff != user.is_staff:
        changes["is_staff"] = {"before": locked.is_staff, "after": user.is_staff}
    if changed_profile:
        changes["profile"] = {"fields": changed_profile}
    if not changes:
        return None
    access_changed = "roles" in changes or "offices" in changes
    if access_changed or not is_active:
        user_credentials_end(user=user)
    if "is_active" in changes:
        action = AuditEvent.Action.USER_ACTIVATED if is_active else AuditEvent.Action.USER_DEACTIVATED
    elif access_changed or "office_end_dates" in changes:
        action = AuditEvent.Action.USER_ACCESS_CHANGED
    else:
        action = AuditEvent.Action.USER_CHANGED
    return audit_record(actor=actor, action=action, obj=user, request=request, changes=changes)


@transaction.atomic
def user_active_set(
    *, actor: Any, user: User, is_active: bool, request: HttpRequest | None = None
) -> AuditEvent | None:
    """Deactivate (every session and token ends) or reactivate `user`, her roles and offices
    unchanged: read once her row is locked, so a change of them committed meanwhile stands."""
    if not user_management_allowed(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    locked = actor_lock_check(actor=actor, user=user)
    return user_access_change(
        actor=actor,
        user=locked,
        roles=locked.groups.values_list("name", flat=True),
        # Every membership, one past its end date too: the beat task ends those, audited.
        offices=FieldOffice.objects.filter(memberships__user=locked),
        is_active=is_active,
        request=request,
    )


def user_password_set_check(*, actor: Any, user: User) -> None:
    """May `actor` set `user`'s password in the admin site? PermissionDenied if not."""
    if not user_management_allowed(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    if User.objects.filter(pk=user.pk, is_superuser=True).exists():
        raise PermissionDenied(MSG_SUPERUSER)


@transaction.atomic
def user_password_set(
    *, actor: Any, user: User, password: str | None, request: HttpRequest | None = None
) -> None:
    """An administrator sets `user`'s password (None: password sign-in disabled). Every session
    and token of the user ends; audited without the password, of course."""
    user_password_set_check(actor=actor, user=user)
    usable_before = User.objects.get(pk=user.pk).has_usable_password()
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    user_credentials_end(user=user)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.USER_PASSWORD_SET,
        obj=user,
        request=request,
        changes={"password_usable": {"before": usable_before, "after": password is not None}},
    )


@transaction.atomic
def user_admin_designate(*, user: User, offices: Iterable[FieldOffice] = ()) -> AuditEvent | None:
    """On the server only (`manage.py bootstrap --admin NAME [--office MISSION-CODE ...]`, e.g.
    after `createsuperuser`, or when the last administrator is gone): give `user` the admin role,
    and these field offices (an admin manages the service directory of her offices' missions),
    since nobody may give them to herself in the app. Audited with no actor. Returns None if she
    already holds the role and the offices."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = _access_of(locked)
    roles = set(before["roles"])
    current = list(locked.offices())
    wanted = current + [office for office in offices if office not in current]
    if Role.ADMIN in roles and len(wanted) == len(current):
        return None
    if roles - {Role.ADMIN} and not settings.CRSV_ALLOW_ADMIN_WITH_OTHER_ROLES:
        raise ValidationError({"roles": [ValidationError(MSG_ADMIN_ALONE, code="admin_alone")]})
    _access_write(user=locked, roles=roles | {Role.ADMIN}, offices=wanted)
    locked.is_staff = True
    locked.save(update_fields=["is_staff"])
    user_credentials_end(user=locked)
    return audit_record(
        actor=None,
        action=AuditEvent.Action.USER_ACCESS_CHANGED,
        obj=locked,
        changes=_changes(before, _access_of(locked)),
    )


@transaction.atomic
def lockout_clear(*, actor: Any, attempts: Iterable[Any], request: HttpRequest | None = None) -> int:
    """An administrator lifts sign-in lockouts (django-axes attempt rows): each one audited with
    the account it counted against, if that is an account, and the client address it came from.
    Returns the number of attempts cleared."""
    if not user_management_allowed(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    attempts = list(attempts)
    accounts = dict(
        User.objects.filter(username__in=[a.username for a in attempts]).values_list("username", "public_id")
    )
    for attempt in attempts:
        public_id = accounts.get(attempt.username)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.LOGIN_UNLOCKED,
            object_type="accounts.user" if public_id else "",
            object_public_id=public_id,
            request=request,
            changes={"client_address": attempt.ip_address, "failures": attempt.failures_since_start},
        )
        attempt.delete()
    return len(attempts)
