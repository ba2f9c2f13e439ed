"""What a user may do to, and see of, an early-warning alert she can see (booleans for the views
and templates), and who keeps an office's on-call roster.

Whether the alert exists for her at all is `Alert.objects.visible_to(user)`: the functions here
assume the caller resolved it through that, and still check scope themselves (fail closed).

- **Enter** an alert: who holds `create_alert` (reporters, i.e. protection staff and Community
  Liaison Assistants; WPAs; senior WPAs), in one of her own field offices.
- **Handle** it (acknowledge, dispatch, close, link an incident): a WPA of its field office or a
  senior WPA of its mission (`may_handle`).
- **Restricted details** (the description, which may name people, and the history's notes, which
  say which response went where): the handlers; the description also to the user who entered it
  (she wrote it). Her own alerts stay visible to their author, without the notes: the response's
  details are the handlers' business.
- **Analysts** see the alerts of their mission de-identified: no description and no notes (the
  free texts are where names are), the place coarsened to admin level 2, and not who entered it
  (a CLA known to have raised an alert is at risk in her community). What remains (when, which
  indicators, how urgent, how fast it was answered) is what early-warning analysis and the MARA
  working group need, and holds nothing that identifies anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

from crsv.accounts.models import FieldOffice, User
from crsv.accounts.roles import Capability, Role
from incidents.alert_workflow import MOVES, TRANSITIONS, Who
from incidents.models import Alert

# Analysts see an alert's place at this admin level at the finest.
DEIDENTIFIED_ADMIN_LEVEL = 2


def _user(user: Any) -> User | None:
    return user if isinstance(user, User) and user.is_active else None


def can_list_alerts(user: Any) -> bool:
    """May open the alert list at all (provider, admin, auditor, no role: 403)."""
    u = _user(user)
    return u is not None and u.can(Capability.SEE_ALERTS)


def alert_list_authorize(user: Any) -> None:
    """PermissionDenied unless `can_list_alerts`."""
    if not can_list_alerts(user):
        raise PermissionDenied


def can_create_alert(user: Any) -> bool:
    u = _user(user)
    return u is not None and u.can(Capability.CREATE_ALERT) and bool(u.office_ids())


def is_author(user: Any, alert: Alert) -> bool:
    """Who entered the alert, still allowed to enter alerts and still a member of its office."""
    u = _user(user)
    return (
        u is not None
        and alert.reported_by_id == u.pk
        and u.can(Capability.CREATE_ALERT)
        and alert.field_office_id in u.office_ids()
    )


def _handles_office(user: User, office: FieldOffice) -> bool:
    """A WPA of `office`, or a senior WPA of its mission."""
    if user.has_role(Role.SENIOR_WPA) and office.mission_id in user.mission_ids():
        return True
    return user.has_role(Role.WPA) and office.pk in user.office_ids()


def may_handle(user: Any, alert: Alert) -> bool:
    """A WPA of the alert's field office or a senior WPA of its mission: acknowledges, dispatches,
    closes, links incidents; reads the description and the notes."""
    u = _user(user)
    return u is not None and _handles_office(u, alert.field_office)


def can_view_description(user: Any, alert: Alert) -> bool:
    return may_handle(user, alert) or is_author(user, alert)


def can_view_notes(user: Any, alert: Alert) -> bool:
    return may_handle(user, alert)


def can_view_exact_location(user: Any, alert: Alert) -> bool:
    """The place as entered (admin level 3); otherwise its admin-level-2 ancestor."""
    return may_handle(user, alert) or is_author(user, alert)


def can_view_people(user: Any, alert: Alert) -> bool:
    """Who entered the alert and who took each step."""
    return may_handle(user, alert) or is_author(user, alert)


_RULES: dict[Who, Callable[[Any, Alert], bool]] = {Who.HANDLER: may_handle}


def may_act(user: Any, alert: Alert, action: str) -> bool:
    """The role part of `action`: False is 403 whatever the state (the services decide with it)."""
    return _RULES[TRANSITIONS[action].who](user, alert)


def can_act(user: Any, alert: Alert, action: str) -> bool:
    """May take `action` now: the role and the alert's state (the button is shown)."""
    return may_act(user, alert, action) and TRANSITIONS[action].allows_from(alert.state)


def can_link_incident(user: Any, alert: Alert) -> bool:
    """Incidents come later than alerts: linkable in any state, by a handler."""
    return may_handle(user, alert)


def alert_permissions(user: Any, alert: Alert) -> dict[str, bool]:
    """Every flag a page or response needs, in one dict."""
    return {
        "can_view_description": can_view_description(user, alert),
        "can_view_notes": can_view_notes(user, alert),
        "can_view_exact_location": can_view_exact_location(user, alert),
        "can_view_people": can_view_people(user, alert),
        "can_link_incident": can_link_incident(user, alert),
        # can_acknowledge, can_dispatch, can_close
        **{f"can_{action}": can_act(user, alert, action) for action in MOVES},
    }


# --- The on-call rosters -------------------------------------------------------------------------


def office_in_reach(user: Any, office: FieldOffice) -> bool:
    """The office exists for her: one of hers, or of her missions for a mission-wide role.
    Any other office is 404."""
    u = _user(user)
    if u is None:
        return False
    if office.pk in u.office_ids():
        return True
    return u.can(Capability.SEE_WHOLE_MISSION) and office.mission_id in u.mission_ids()


def may_keep_roster(user: Any, office: FieldOffice) -> bool:
    """Keeps the office's on-call roster: its WPAs and its mission's senior WPAs."""
    u = _user(user)
    return u is not None and _handles_office(u, office)


def may_be_on_call(user: Any, office: FieldOffice) -> bool:
    """May be put on call for the office: an active handler who is a member of it."""
    u = _user(user)
    return u is not None and u.can(Capability.HANDLE_ALERTS) and office.pk in u.office_ids()
