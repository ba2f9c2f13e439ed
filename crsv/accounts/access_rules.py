"""The rules of a change to a user's access (roles, field offices with their end dates, active
flag), decided in one place for every door: the admin site's forms, the access pages, the
services of crsv.accounts.services and crsv.accounts.sessions. Reads and checks only; the writes
are the services'."""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crsv.accounts.models import FieldOffice, Membership, User
from crsv.accounts.roles import Capability, Role, roles_for

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
MSG_END_NOT_MEMBER = _("An end date is only for a field office the user belongs to.")
MSG_END_PAST = _("The end date of %(office)s is in the past: the last day must be today or later.")
MSG_STALE = _(
    "Another administrator changed this user's access while you were editing it. "
    "Here is the access as it is now: make your change again."
)

# An office's end dates, by office id (None: no end date).
EndDates = Mapping[int, date | None]


def user_management_allowed(actor: Any) -> bool:
    """Only an active holder of the admin role manages users: not a superuser without that role,
    not an auditor (who is staff too), nobody by a model permission granted by hand."""
    return bool(
        actor is not None and getattr(actor, "is_authenticated", False) and actor.can(Capability.MANAGE_USERS)
    )


def office_label(office: FieldOffice) -> str:
    """How the audit trail names an office: `MONUSCO-GOM`."""
    return f"{office.mission.code}-{office.code}"


def access_of(user: User) -> dict[str, Any]:
    """The user's access as stored now, by names (what the audit row keeps): roles, offices, the
    end dates of the offices that have one (`{"MONUSCO-BUN": "2026-08-31"}`), the active flag."""
    memberships = Membership.objects.filter(user=user).select_related("field_office__mission")
    return {
        "roles": sorted(Group.objects.filter(user=user).values_list("name", flat=True)),
        "offices": sorted(office_label(m.field_office) for m in memberships),
        "office_end_dates": {
            office_label(m.field_office): m.ends_on.isoformat()
            for m in sorted(memberships, key=lambda m: office_label(m.field_office))
            if m.ends_on is not None
        },
        "is_active": user.is_active,
    }


def access_version(access: Mapping[str, Any]) -> str:
    """A short digest of `access_of(user)`: a form carries the version it was built from, and
    a change made from a stale form is refused rather than silently undoing another
    administrator's change (a role she had just removed, given back)."""
    text = json.dumps(access, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def actor_lock_check(*, actor: Any, user: User) -> User:
    """Lock `user`'s row and the actor's, in id order, and return `user` as stored.

    Two administrators changing each other (or the same user) at once are served one after the
    other, never deadlocked. The actor is read again once locked: an administrator deactivated
    or demoted by a change that committed while she waited may no longer act (else two
    administrators deactivating each other at once would both succeed)."""
    ids = sorted({user.pk, actor.pk})
    rows = {row.pk: row for row in User.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    fresh = rows.get(actor.pk)
    if (
        fresh is None
        or not fresh.is_active
        or not Group.objects.filter(user=fresh, name__in=roles_for(Capability.MANAGE_USERS)).exists()
    ):
        raise PermissionDenied(MSG_NOT_ALLOWED)
    return rows[user.pk]


def _end_date_errors(
    *, ends_on: EndDates, wanted_offices: set[int], stored: dict[int, date | None]
) -> list[ValidationError]:
    """An end date only for an office in the change; a new or moved end date not in the past
    (in the office's own time zone: its last day is a day there)."""
    errors = []
    if set(ends_on) - wanted_offices:
        errors.append(ValidationError(MSG_END_NOT_MEMBER, code="end_not_member"))
    moved = {pk: day for pk, day in ends_on.items() if pk in wanted_offices and day and stored.get(pk) != day}
    for office in FieldOffice.objects.filter(pk__in=moved).order_by("name"):
        today = timezone.localdate(timezone=zoneinfo.ZoneInfo(office.time_zone))
        if moved[office.pk] < today:
            errors.append(ValidationError(MSG_END_PAST, code="end_past", params={"office": office.name}))
    return errors


def user_access_validate(
    *,
    actor: Any,
    user: User | None,
    roles: Iterable[str],
    offices: Iterable[FieldOffice],
    is_active: bool,
    ends_on: EndDates | None = None,
) -> None:
    """Decide whether `actor` may give `user` (None: a new user) these roles, offices (with these
    end dates; None: the stored ones) and active flag. Raises PermissionDenied if the actor may
    not manage users at all, and ValidationError with messages keyed `roles`, `offices`,
    `ends_on`, `is_active` or NON_FIELD_ERRORS for each rule broken. The admin form's clean() and
    the access page's form call this, and so does the write, so the rules are decided once."""
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
    stored_ends: dict[int, date | None] = {}
    if user is not None and user.pk is not None:
        stored = User.objects.only("is_superuser", "is_active").get(pk=user.pk)
        stored_ends = dict(Membership.objects.filter(user=user).values_list("field_office_id", "ends_on"))
        if stored.is_superuser:
            errors.setdefault(NON_FIELD_ERRORS, []).append(ValidationError(MSG_SUPERUSER, code="superuser"))
        if user.pk == actor.pk:
            if wanted_roles != set(Group.objects.filter(user=user).values_list("name", flat=True)):
                errors.setdefault("roles", []).append(ValidationError(MSG_OWN_ROLES, code="own_roles"))
            own_ends_moved = ends_on is not None and any(
                ends_on.get(pk) != day for pk, day in stored_ends.items()
            )
            if wanted_offices != set(stored_ends) or own_ends_moved:
                errors.setdefault("offices", []).append(ValidationError(MSG_OWN_OFFICES, code="own_offices"))
            if stored.is_active and not is_active:
                errors.setdefault("is_active", []).append(ValidationError(MSG_OWN_ACTIVE, code="own_active"))
    if ends_on is not None:
        end_errors = _end_date_errors(ends_on=ends_on, wanted_offices=wanted_offices, stored=stored_ends)
        if end_errors:
            errors.setdefault("ends_on", []).extend(end_errors)
    if errors:
        raise ValidationError(errors)
