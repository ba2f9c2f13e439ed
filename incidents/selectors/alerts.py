"""Every read of early-warning alerts and on-call rosters done for a user, starting from
`Alert.objects.visible_to(user)`; and who is on call for an office at a moment."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from crsv.accounts.models import FieldOffice, User, membership_current_q
from crsv.accounts.roles import Capability, Role, roles_for
from crsv.pagination import Keyset, KeysetPage, keyset_page
from incidents import alert_permissions, clock
from incidents.models import (
    ALERT_MAX_ADMIN_LEVEL,
    Alert,
    AlertEvent,
    AlertIncidentLink,
    Incident,
    Location,
    OnCallAssignment,
)

ALERT_PAGE_SIZE = 50
NEWEST_ALERTS = Keyset.of(Alert, ["-received_at", "-id"])
# The place search of the alert form: a short list to choose from, never the whole gazetteer.
PLACE_CHOICES_MAX = 20
_RELATED = ("field_office__mission", "location__parent__parent", "reported_by")


@dataclass(frozen=True)
class AlertFilters:
    """The list's filters: a state, an urgency, an office; `mine`: her own offices only (a senior
    WPA's home line); `escalated`: escalated to the senior WPAs."""

    state: str = ""
    urgency: str = ""
    field_office_id: int | None = None
    mine: bool = False
    escalated: bool = False


def alert_list(*, user: Any, filters: AlertFilters | None = None) -> QuerySet[Alert]:
    """The alerts `user` may see, newest first, filtered. PermissionDenied for a role with no
    alert list (provider, admin, auditor, no role)."""
    alert_permissions.alert_list_authorize(user)
    filters = filters or AlertFilters()
    rows = Alert.objects.visible_to(user)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.urgency:
        rows = rows.filter(urgency=filters.urgency)
    if filters.field_office_id is not None:
        rows = rows.filter(field_office_id=filters.field_office_id)
    if filters.mine:
        rows = rows.filter(field_office_id__in=user.office_ids())
    if filters.escalated:
        rows = rows.filter(escalated_at__isnull=False)
    return rows.select_related(*_RELATED).order_by(*NEWEST_ALERTS.order_by)


def alert_page(
    *, user: Any, filters: AlertFilters | None = None, cursor: str | None = None, size: int | None = None
) -> KeysetPage[Alert]:
    """One newest-first page of `alert_list` after `cursor` (ALERT_PAGE_SIZE rows unless `size`);
    BadCursor on a cursor it did not make."""
    rows = alert_list(user=user, filters=filters)
    return keyset_page(rows, cursor=cursor, size=size or ALERT_PAGE_SIZE, keyset=NEWEST_ALERTS)


def alert_get(*, user: Any, public_id: uuid.UUID | str) -> Alert:
    """The alert, or 404 when it does not exist for `user`."""
    if not alert_permissions.can_list_alerts(user):
        raise Http404("No alert matches the given query.")
    return get_object_or_404(
        Alert.objects.visible_to(user).select_related(*_RELATED, "data_key"), public_id=public_id
    )


def alert_description(*, user: Any, alert: Alert) -> str | None:
    """The description in plaintext for those who may read it; None for the others."""
    return alert.description if alert_permissions.can_view_description(user, alert) else None


def alert_place(*, user: Any, alert: Alert) -> Location:
    """The alert's place as `user` may see it: as entered, or its admin-level-2 ancestor."""
    if alert_permissions.can_view_exact_location(user, alert):
        return alert.location
    return alert.location.ancestor_at_level(alert_permissions.DEIDENTIFIED_ADMIN_LEVEL)


@dataclass(frozen=True)
class AlertHistoryEntry:
    occurred_at: datetime
    action: str
    action_label: str
    to_state_label: str
    actor_name: str  # "" for the escalation (nobody's), and for a user who may not see people
    note: str | None  # None: she may not read the notes


def alert_history(*, user: Any, alert: Alert) -> list[AlertHistoryEntry]:
    """The alert's steps, oldest first, as `user` may see them."""
    notes = alert_permissions.can_view_notes(user, alert)
    people = alert_permissions.can_view_people(user, alert)
    events = AlertEvent.objects.filter(alert=alert).select_related("actor").order_by("occurred_at", "id")
    entries = []
    for event in events:
        event.alert = alert  # the notes' key is the alert's (already read)
        entries.append(
            AlertHistoryEntry(
                occurred_at=event.occurred_at,
                action=event.action,
                action_label=str(AlertEvent.Action(event.action).label),
                to_state_label=str(Alert.State(event.to_state).label),
                actor_name=event.actor.display_name if people and event.actor is not None else "",
                note=(event.note or "") if notes else None,
            )
        )
    return entries


@dataclass(frozen=True)
class LinkedIncident:
    public_id: uuid.UUID
    reference: str
    linked_at: datetime


def alert_linked_incidents(*, user: Any, alert: Alert) -> list[LinkedIncident]:
    """The incidents linked to the alert that `user` may see (the others are not named)."""
    visible = Incident.objects.visible_to(user).values("pk")
    links = (
        AlertIncidentLink.objects.filter(alert=alert, incident__in=visible)
        .select_related("incident")
        .order_by("linked_at", "id")
    )
    return [
        LinkedIncident(link.incident.public_id, link.incident.reference or "", link.linked_at)
        for link in links
    ]


def alert_incident_find(*, user: Any, reference: str) -> Incident | None:
    """A submitted incident `user` may see, by its human reference (the link form's input)."""
    reference = reference.strip().upper()
    if not reference:
        return None
    return (
        Incident.objects.visible_to(user)
        .exclude(status=Incident.Status.DRAFT)
        .filter(reference=reference)
        .first()
    )


def alert_place_search(*, text: str) -> list[Location]:
    """The places an alert may name (admin levels 1 to 3) matching `text`: its p-code exactly,
    else names containing it; PLACE_CHOICES_MAX at most, by level then name."""
    text = text.strip()
    if not text:
        return []
    places = Location.objects.filter(admin_level__lte=ALERT_MAX_ADMIN_LEVEL).select_related("parent__parent")
    exact = list(places.filter(pcode__iexact=text)[:1])
    if exact:
        return exact
    return list(
        places.filter(name__icontains=text).order_by("admin_level", "name", "pcode")[:PLACE_CHOICES_MAX]
    )


# --- Who is told, and the rosters -----------------------------------------------------------------


def _members_of(office: FieldOffice) -> Q:
    return Q(is_active=True, memberships__field_office=office) & membership_current_q(prefix="memberships__")


def alert_on_call_users(*, field_office: FieldOffice, at: datetime) -> list[User]:
    """Who is on call for `field_office` at `at`, and still may be (active, a handler, a member)."""
    on_call = OnCallAssignment.objects.filter(field_office=field_office, starts_at__lte=at, ends_at__gt=at)
    return list(
        User.objects.filter(
            _members_of(field_office),
            groups__name__in=roles_for(Capability.HANDLE_ALERTS),
            pk__in=on_call.values("user_id"),
        )
        .distinct()
        .order_by("pk")
    )


def alert_office_wpas(*, field_office: FieldOffice) -> list[User]:
    """The office's active WPAs (who hear of a new alert when nobody is on call)."""
    return list(
        User.objects.filter(_members_of(field_office), groups__name=Role.WPA).distinct().order_by("pk")
    )


def alert_mission_seniors(*, field_office: FieldOffice) -> list[User]:
    """The active senior WPAs of the office's mission (who hear of an escalated alert)."""
    return list(
        User.objects.filter(
            membership_current_q(prefix="memberships__"),
            is_active=True,
            groups__name=Role.SENIOR_WPA,
            memberships__field_office__mission_id=field_office.mission_id,
        )
        .distinct()
        .order_by("pk")
    )


def oncall_office_get(*, user: Any, office_id: int) -> FieldOffice:
    """The field office whose roster is asked for, or 404 when it is out of her reach (or when the
    address names no possible office: PostgreSQL integers end at 2**31 - 1)."""
    if not 0 < office_id < 2**31:
        raise Http404("No field office matches the given query.")
    office = FieldOffice.objects.select_related("mission").filter(pk=office_id).first()
    if office is None or not alert_permissions.office_in_reach(user, office):
        raise Http404("No field office matches the given query.")
    return office


def oncall_shift_get(*, user: Any, public_id: uuid.UUID | str) -> OnCallAssignment:
    """An on-call shift of an office in her reach, or 404."""
    shift = (
        OnCallAssignment.objects.select_related("field_office__mission").filter(public_id=public_id).first()
    )
    if shift is None or not alert_permissions.office_in_reach(user, shift.field_office):
        raise Http404("No on-call shift matches the given query.")
    return shift


def oncall_roster(*, field_office: FieldOffice, now: datetime | None = None) -> list[OnCallAssignment]:
    """The office's shifts not yet over (current first, then upcoming), with their people."""
    now = now or clock.now()
    return list(
        OnCallAssignment.objects.filter(field_office=field_office, ends_at__gt=now)
        .select_related("user", "assigned_by")
        .order_by("starts_at", "id")
    )


def oncall_candidates(*, field_office: FieldOffice) -> list[User]:
    """Who may be put on call for the office: its active members who handle alerts."""
    return list(
        User.objects.filter(_members_of(field_office), groups__name__in=roles_for(Capability.HANDLE_ALERTS))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def oncall_offices(*, user: Any) -> Sequence[FieldOffice]:
    """The offices whose roster `user` keeps (her offices for a WPA, her missions' for a senior)."""
    u = user if isinstance(user, User) and user.is_active else None
    if u is None or not u.can(Capability.HANDLE_ALERTS):
        return []
    offices = FieldOffice.objects.select_related("mission").filter(
        Q(pk__in=u.office_ids()) | Q(mission_id__in=u.mission_ids())
    )
    return [office for office in offices if alert_permissions.may_keep_roster(u, office)]


def alert_offices_for_entry(*, user: Any) -> list[FieldOffice]:
    """The offices in which `user` may enter an alert: her own."""
    if not alert_permissions.can_create_alert(user):
        return []
    return list(
        FieldOffice.objects.filter(pk__in=user.office_ids()).select_related("mission").order_by("name")
    )
