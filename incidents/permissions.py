"""What a user may do to, and see of, an incident they can see (booleans for views/templates).

Whether the incident exists for the user at all is `Incident.objects.visible_to(user)`; these
functions assume the caller resolved the incident through it, and still check scope themselves
so that a wrong call fails closed.

"Restricted details" are the narrative, the exact coordinates, locations below admin level 2,
the perpetrators' identification (unit, commander, names) and the reasons in the history. They
are for the incident's reporter and for the WPAs and senior WPAs whose scope covers it; every
other viewer (an analyst, a reporter looking at a colleague's incident) gets the incident
de-identified. DESIGN §3 strictly asks this only of the narrative for reporters; we take the
safer reading and treat all restricted details alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

from crsv.accounts.models import User
from crsv.accounts.roles import Capability, Role
from incidents.models import Incident
from incidents.workflow import MOVES, TRANSITIONS, Action, Who


def _user(user: Any) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def can_list_incidents(user: Any) -> bool:
    """May open the incident list at all (provider, admin, auditor, no role: 403)."""
    u = _user(user)
    return u is not None and u.can(Capability.SEE_INCIDENTS)


def list_authorize(user: Any) -> None:
    """PermissionDenied unless `can_list_incidents`: the list selector and the list page ask here."""
    if not can_list_incidents(user):
        raise PermissionDenied


def can_create_incident(user: Any) -> bool:
    u = _user(user)
    return u is not None and u.can(Capability.CREATE_INCIDENT) and bool(u.office_ids())


def is_owner(user: Any, incident: Incident) -> bool:
    """The incident's reporter, still holding a creator role and a membership of its office."""
    u = _user(user)
    return (
        u is not None
        and incident.reported_by_id == u.pk
        and u.can(Capability.CREATE_INCIDENT)
        and incident.field_office_id in u.office_ids()
    )


def may_review(user: Any, incident: Incident) -> bool:
    """A WPA of the incident's office (not for SEA), or a senior WPA of its mission.

    Also who may be assigned the incident.
    """
    u = _user(user)
    if u is None:
        return False
    if u.has_role(Role.SENIOR_WPA) and incident.mission_id in u.mission_ids():
        return True
    return u.has_role(Role.WPA) and not incident.is_sea and incident.field_office_id in u.office_ids()


def can_view_restricted(user: Any, incident: Incident) -> bool:
    """May see the restricted details of this incident (see the module docstring)."""
    return is_owner(user, incident) or may_review(user, incident)


def can_view_narrative(user: Any, incident: Incident) -> bool:
    return can_view_restricted(user, incident)


def can_view_exact_location(user: Any, incident: Incident) -> bool:
    """Exact coordinates and locations below admin level 2."""
    return can_view_restricted(user, incident)


def can_view_identification(user: Any, incident: Incident | None = None) -> bool:
    """Perpetrators' unit, commander and names: of this incident, or (no incident) of any.

    Without an incident it answers "can this user ever see identification": False for a user
    whose only incident role is analyst.
    """
    if incident is not None:
        return can_view_restricted(user, incident)
    u = _user(user)
    return u is not None and u.can(Capability.CREATE_INCIDENT)


def is_deidentified_viewer(user: Any) -> bool:
    """Holds the analyst role: lists, filters and orderings must not use restricted details.

    Applies whenever the role is held, even beside another: an analyst-and-WPA filtering the
    mission-wide list by an exact location would learn about other offices' incidents.
    """
    u = _user(user)
    return u is not None and u.has_role(Role.ANALYST)


def may_filter_by_exact_location(user: Any) -> bool:
    """May filter lists by a location finer than admin level 2 (issue 8 item 11).

    Only when every row she can list shows its exact place, else the filter would tell where
    an incident whose row hides it happened: a WPA's rows (her offices, never SEA) and a senior
    WPA's (her missions) all do; a reporter's colleagues' rows and an analyst's rows do not.
    """
    u = _user(user)
    return u is not None and not is_deidentified_viewer(u) and u.can(Capability.REVIEW_INCIDENTS)


def can_view_references(user: Any) -> bool:
    """Sees human references (`MONUSCO-GOM-2026-00042`) at all: not an analyst (issue 8 item 12).

    Gaps in a sequence would count the incidents an analyst may not see (SEA), and an incident
    reclassified after it got its number keeps it; the public id names a row for an analyst.
    Like `is_deidentified_viewer`, the analyst role decides even beside another role.
    """
    u = _user(user)
    return u is not None and not is_deidentified_viewer(u)


def may_reopen(user: Any, incident: Incident) -> bool:
    """A senior WPA of the incident's mission."""
    u = _user(user)
    return u is not None and u.has_role(Role.SENIOR_WPA) and incident.mission_id in u.mission_ids()


# The rule behind each `workflow.Who`.
_RULES: dict[Who, Callable[[Any, Incident], bool]] = {
    Who.OWNER: is_owner,
    Who.REVIEWER: may_review,
    Who.MISSION_SENIOR: may_reopen,
}


def may_act(user: Any, incident: Incident, action: str) -> bool:
    """The role part of `action` (workflow.TRANSITIONS[action].who): False is 403 whatever the
    status. The services decide with it; views use `can_act` for their buttons."""
    return _RULES[TRANSITIONS[action].who](user, incident)


def can_act(user: Any, incident: Incident, action: str) -> bool:
    """May take `action` now: the role, and the incident's status (the button is shown)."""
    return may_act(user, incident, action) and TRANSITIONS[action].allows_from(incident.status)


def can_edit(user: Any, incident: Incident) -> bool:
    return can_act(user, incident, Action.UPDATE)


def incident_permissions(user: Any, incident: Incident) -> dict[str, bool]:
    """Every flag a detail page or response needs, in one dict (`can_edit`, `can_verify`, ...)."""
    return {
        "can_view_narrative": can_view_narrative(user, incident),
        "can_view_exact_location": can_view_exact_location(user, incident),
        "can_view_identification": can_view_identification(user, incident),
        "can_edit": can_edit(user, incident),
        # can_submit, can_assign, can_return, can_verify, can_reopen
        **{f"can_{action}": can_act(user, incident, action) for action in MOVES},
    }
