"""Reads on accounts done for a user."""

from __future__ import annotations

from django.db.models import QuerySet

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Capability


def field_office_scope(*, user: User) -> QuerySet[FieldOffice]:
    """The field offices whose records `user` can work with: every office of her missions for
    a mission-wide role (senior WPA, analyst), else her own offices. Reference data, not
    records: listing them reveals nothing about incidents or cases."""
    if user.can(Capability.SEE_WHOLE_MISSION):
        return FieldOffice.objects.filter(mission_id__in=user.mission_ids())
    return FieldOffice.objects.filter(id__in=user.office_ids())
