"""What a user may do to a case they can see. Booleans for views and templates."""

from __future__ import annotations

from typing import Any

from crsv.accounts.models import FieldOffice
from crsv.accounts.roles import Role
from survivors.models import Survivor

# The roles that may hold survivor cases at all (DESIGN §3). Everyone else gets 403 on the lists
# and search whatever rows would match, and 404 on a case (it does not exist for them).
SURVIVOR_ROLES = (Role.REPORTER, Role.WPA, Role.SENIOR_WPA)


def can_list(user: Any) -> bool:
    """May open the case list and search at all (decided by role, never by how many rows match)."""
    return bool(user.is_authenticated and user.has_role(*SURVIVOR_ROLES))


def can_register(user: Any, field_office: FieldOffice) -> bool:
    if not can_list(user):
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


def can_view_access(user: Any, survivor: Survivor) -> bool:
    """May see who has access to the case and why (erased cases included: what is left)."""
    return _senior_of_mission(user, survivor)


def can_grant(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


def can_break_glass(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)


def can_erase(user: Any, survivor: Survivor) -> bool:
    return survivor.erased_at is None and _senior_of_mission(user, survivor)
