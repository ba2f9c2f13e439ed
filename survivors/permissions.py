"""What a user may do to a case they can see. Booleans for views and templates."""

from __future__ import annotations

from typing import Any

from crsv.accounts.models import FieldOffice
from crsv.accounts.roles import Role
from survivors.models import Survivor


def can_register(user: Any, field_office: FieldOffice) -> bool:
    if not user.has_role(Role.REPORTER, Role.WPA, Role.SENIOR_WPA):
        return False
    if field_office.pk in user.office_ids():
        return True
    return user.has_role(Role.SENIOR_WPA) and field_office.mission_id in user.mission_ids()


def can_view_identifying(user: Any, survivor: Survivor) -> bool:
    """Same rule as `Survivor.objects.identifying_to(user)`, asked of one loaded row."""
    return Survivor.objects.identifying_to(user).filter(pk=survivor.pk).exists()


def can_edit(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and can_view_identifying(user, survivor)


def can_record_consent(user: Any, survivor: Survivor) -> bool:
    return user.has_role(Role.WPA, Role.SENIOR_WPA) and can_edit(user, survivor)


def can_assign(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


def _senior_of_mission(user: Any, survivor: Survivor) -> bool:
    return user.has_role(Role.SENIOR_WPA) and survivor.mission_id in user.mission_ids()


def can_grant(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


def can_break_glass(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


def can_erase(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)
