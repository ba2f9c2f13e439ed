"""Reads on accounts done for a user."""

from __future__ import annotations

from datetime import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from crsv.accounts.models import AuthenticatorDevice, FieldOffice, User
from crsv.accounts.roles import Capability


def field_office_scope(*, user: User) -> QuerySet[FieldOffice]:
    """The field offices whose records `user` can work with: every office of her missions for
    a mission-wide role (senior WPA, analyst), else her own offices. Reference data, not
    records: listing them reveals nothing about incidents or cases."""
    if user.can(Capability.SEE_WHOLE_MISSION):
        return FieldOffice.objects.filter(mission_id__in=user.mission_ids())
    return FieldOffice.objects.filter(id__in=user.office_ids())


def field_office_options(*, user: User) -> list[FieldOffice]:
    """`field_office_scope` by name, as a list: from what the request's authentication read
    (`crsv.accounts.scope`: no query), else one query. The instances carry id, mission and name."""
    primed: list[FieldOffice] | None = getattr(user, "_mission_offices", None)
    if primed is None:
        return list(field_office_scope(user=user).order_by("name", "id"))
    if user.can(Capability.SEE_WHOLE_MISSION):
        return list(primed)
    own = set(user.office_ids())
    return [office for office in primed if office.pk in own]


def users_without_second_factor() -> QuerySet[User]:
    """Active accounts with no confirmed authenticator: they cannot sign in until they enrol
    (an administrator's to-do, and the admin site's "second factor: none" filter)."""
    confirmed = AuthenticatorDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
    return User.objects.filter(is_active=True).exclude(Exists(confirmed))


def lockouts_in_force(*, now: datetime | None = None) -> QuerySet[AccessAttempt]:
    """django-axes' attempt rows that refuse an account's sign-in now (from one address): as many
    failures as `AXES_FAILURE_LIMIT` within the last `AXES_COOLOFF_TIME`, as axes' database
    handler decides. Names that are no account (kept as a keyed hash) are left out."""
    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=since,
        username__in=User.objects.values("username"),
    )
