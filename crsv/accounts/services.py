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
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import ApiToken, FieldOffice, Membership, User
from crsv.accounts.roles import Capability, Role, roles_for
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


# --- Users' access: the one way to change who may do what, and where ---------------------------

# Roles whose holders may enter the Django admin site (is_staff follows from these, never by hand).
STAFF_ROLES = roles_for(Capability.ENTER_ADMIN_SITE)
# What the admin site may change on a user besides access: never a flag, a password or a secret.
PROFILE_FIELDS = ("username", "first_name", "last_name", "email")

MSG_NOT_ALLOWED = _("Only an administrator manages users.")
MSG_SUPERUSER = _("Superuser accounts are managed on the server only, not in this screen.")
MSG_OWN_ROLES = _("You cannot change your own roles: ask another administrator.")
MSG_OWN_OFFICES = _("You cannot change your own field offices: ask another administrator.")
MSG_OWN_ACTIVE = _("You cannot deactivate your own account.")
MSG_ADMIN_ALONE = _(
    "The Administrator role cannot be combined with any other role: an administrator must not "
    "be able to reach survivor data."
)
MSG_UNKNOWN_ROLE = _("Unknown role: %(names)s.")


def user_management_allowed(actor: Any) -> bool:
    """Only an active holder of the admin role manages users: not a superuser without that role,
    not an auditor (who is staff too), nobody by a model permission granted by hand."""
    return bool(
        actor is not None and getattr(actor, "is_authenticated", False) and actor.has_role(Role.ADMIN)
    )


def _office_label(office: FieldOffice) -> str:
    return f"{office.mission.code}-{office.code}"


def _access_of(user: User) -> dict[str, Any]:
    """The user's access as stored now, by names (what the audit row keeps)."""
    offices = FieldOffice.objects.filter(memberships__user=user).select_related("mission")
    return {
        "roles": sorted(Group.objects.filter(user=user).values_list("name", flat=True)),
        "offices": sorted(_office_label(office) for office in offices),
        "is_active": user.is_active,
    }


def user_access_validate(
    *,
    actor: Any,
    user: User | None,
    roles: Iterable[str],
    offices: Iterable[FieldOffice],
    is_active: bool,
) -> None:
    """Decide whether `actor` may give `user` (None: a new user) these roles, offices and active
    flag. Raises PermissionDenied if the actor may not manage users at all, and ValidationError
    with one message per field (`roles`, `offices`, `is_active`) for each rule broken. The admin
    form's clean() calls this, and so does the write, so the rules are decided in one place."""
    if not user_management_allowed(actor):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    wanted_roles = set(roles)
    wanted_offices = {office.pk for office in offices}
    errors: dict[str, list[Any]] = {}
    unknown = wanted_roles - set(Role.values)
    if unknown:
        errors.setdefault("roles", []).append(
            ValidationError(
                MSG_UNKNOWN_ROLE, code="unknown_role", params={"names": ", ".join(sorted(unknown))}
            )
        )
    if (
        Role.ADMIN in wanted_roles
        and len(wanted_roles) > 1
        and not settings.CRSV_ALLOW_ADMIN_WITH_OTHER_ROLES
    ):
        errors.setdefault("roles", []).append(ValidationError(MSG_ADMIN_ALONE, code="admin_alone"))
    if user is not None and user.pk is not None:
        stored = User.objects.only("is_superuser", "is_active").get(pk=user.pk)
        if stored.is_superuser:
            errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(MSG_SUPERUSER, code="superuser"))
        if user.pk == actor.pk:
            if wanted_roles != set(Group.objects.filter(user=user).values_list("name", flat=True)):
                errors.setdefault("roles", []).append(ValidationError(MSG_OWN_ROLES, code="own_roles"))
            if wanted_offices != set(
                Membership.objects.filter(user=user).values_list("field_office_id", flat=True)
            ):
                errors.setdefault("offices", []).append(ValidationError(MSG_OWN_OFFICES, code="own_offices"))
            if stored.is_active and not is_active:
                errors.setdefault("is_active", []).append(ValidationError(MSG_OWN_ACTIVE, code="own_active"))
    if errors:
        raise ValidationError(errors)


def _access_write(*, user: User, roles: set[str], offices: list[FieldOffice]) -> None:
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in sorted(roles)])
    office_ids = {office.pk for office in offices}
    Membership.objects.filter(user=user).exclude(field_office_id__in=office_ids).delete()
    existing = set(Membership.objects.filter(user=user).values_list("field_office_id", flat=True))
    Membership.objects.bulk_create(
        [Membership(user=user, field_office_id=pk) for pk in sorted(office_ids - existing)]
    )
    for cached in ("_role_names", "_office_ids", "_mission_ids"):
        user.__dict__.pop(cached, None)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {
        key: {"before": before.get(key), "after": after[key]}
        for key in after
        if before.get(key) != after[key]
    }


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
            key: {"before": None if key == "is_active" else [], "after": value}
            for key, value in after.items()
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
    profile: Mapping[str, str] | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent | None:
    """Give `user` exactly these roles, field offices and active flag (and, from the admin form,
    new `profile` values: username, names, e-mail), as `actor`.

    Authorizes and validates (`user_access_validate`), writes, ends every session and token of
    the user when her roles or offices change or she is deactivated, and writes one AuditEvent
    with the names before and after, all in one transaction. `is_staff` follows from the roles.
    Returns the audit row, or None when nothing changed.
    """
    roles, offices = set(roles), list(offices)
    locked = User.objects.select_for_update().get(pk=user.pk)
    user_access_validate(actor=actor, user=locked, roles=roles, offices=offices, is_active=is_active)
    before = _access_of(locked)
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
    _access_write(user=user, roles=roles, offices=offices)
    after = _access_of(user)
    changes = _changes(before, after)
    if locked.is_staff != user.is_staff:
        changes["is_staff"] = {"before": locked.is_staff, "after": user.is_staff}
    if changed_profile:
        changes["profile"] = {"fields": changed_profile}
    if not changes:
        return None
    if "roles" in changes or "offices" in changes or not is_active:
        user_credentials_end(user=user)
    if "is_active" in changes:
        action = AuditEvent.Action.USER_ACTIVATED if is_active else AuditEvent.Action.USER_DEACTIVATED
    elif "roles" in changes or "offices" in changes:
        action = AuditEvent.Action.USER_ACCESS_CHANGED
    else:
        action = AuditEvent.Action.USER_CHANGED
    return audit_record(actor=actor, action=action, obj=user, request=request, changes=changes)


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
def user_admin_designate(*, user: User) -> AuditEvent | None:
    """On the server only (`manage.py bootstrap --admin NAME`, e.g. after `createsuperuser`, or
    when the last administrator is gone): give `user` the admin role, since nobody may give it to
    herself in the admin site. Audited with no actor. Returns None if she already holds it."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = _access_of(locked)
    roles = set(before["roles"])
    if Role.ADMIN in roles:
        return None
    if roles and not settings.CRSV_ALLOW_ADMIN_WITH_OTHER_ROLES:
        raise ValidationError({"roles": [ValidationError(MSG_ADMIN_ALONE, code="admin_alone")]})
    _access_write(user=locked, roles=roles | {Role.ADMIN}, offices=list(locked.offices()))
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
