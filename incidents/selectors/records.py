"""One incident as a user may see it, its history, who may be assigned it, and the reference
data (locations, parties).

Instances handed out by `incident_get` are *for display*: restricted details the user may not
see (narrative, exact point and fine location, perpetrators' identification, and for analysts
the reference) are blanked on them, and saving them is refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from crsv.accounts.models import User
from crsv.accounts.roles import Role
from incidents import permissions
from incidents.models import Incident, IncidentEvent, Location, PartyToConflict, Perpetrator
from incidents.selectors.list_filters import DEIDENTIFIED_MAX_ADMIN_LEVEL, LIST_RELATIONS


def _references_hide(incident: Incident) -> None:
    """No reference on a display instance for a user who sees none (and no saving it)."""
    incident.reference = None
    incident._redacted = True  # type: ignore[attr-defined]  # read by Incident.save()


def _redact(incident: Incident) -> None:
    """Blank the restricted details on a display instance (and forbid saving it)."""
    incident.narrative_ct = None
    incident.latitude = incident.longitude = None
    if incident.location is not None:
        incident.location = incident.location.ancestor_at_level(DEIDENTIFIED_MAX_ADMIN_LEVEL)
    for perpetrator in incident.perpetrators.all():  # prefetched: no query
        perpetrator.unit = perpetrator.commander = perpetrator.names = ""
    incident._redacted = True  # type: ignore[attr-defined]  # read by Incident.save()


def incident_get(*, user: User, public_id: uuid.UUID | str) -> Incident:
    """One incident with its violations and perpetrators, or Http404 if out of scope.

    Restricted details are blanked for a user who may not see them (see the module doc);
    hand `permissions.incident_permissions(user, incident)` to the page or serializer.
    """
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError as error:
        raise Http404("No incident matches the given query.") from error
    try:
        incident = (
            Incident.objects.visible_to(user)
            .select_related(*LIST_RELATIONS, "verified_by", "data_key")
            .prefetch_related(
                "violations",
                Prefetch("perpetrators", queryset=Perpetrator.objects.select_related("party")),
            )
            .get(public_id=key)
        )
    except Incident.DoesNotExist:
        raise Http404("No incident matches the given query.") from None
    if not permissions.can_view_restricted(user, incident):
        _redact(incident)
    if not permissions.can_view_references(user):
        _references_hide(incident)
    return incident


def incident_narrative(*, user: User, incident: Incident) -> str | None:
    """The narrative, decrypted, if `user` may read it, else None. Pages and the API read it
    here and nowhere else."""
    if not permissions.can_view_narrative(user, incident):
        return None
    return incident.narrative


def incident_location_for(*, user: User, incident: Incident) -> Location | None:
    """The incident's location as `user` may see it: coarsened to admin level 2 unless they
    may see restricted details. Free of queries on rows from `incident_list`."""
    if incident.location is None or permissions.can_view_exact_location(user, incident):
        return incident.location
    return incident.location.ancestor_at_level(DEIDENTIFIED_MAX_ADMIN_LEVEL)


@dataclass(frozen=True)
class IncidentHistoryEntry:
    """One history line as `user` may see it. `reason` is None when hidden from them."""

    occurred_at: datetime
    action: str
    actor_name: str
    from_status: str
    to_status: str
    verification_status: str
    assignee_name: str
    reason: str | None

    @property
    def action_label(self) -> str:
        return str(IncidentEvent.Action(self.action).label)

    @property
    def to_status_label(self) -> str:
        return str(Incident.Status(self.to_status).label)

    @property
    def verification_label(self) -> str:
        return str(Incident.VerificationStatus(self.verification_status).label)


def incident_history(*, user: User, incident: Incident) -> list[IncidentHistoryEntry]:
    """The incident's history, oldest first; reasons only for those who may read the
    narrative. Http404 if the incident is out of the user's scope."""
    if not Incident.objects.visible_to(user).filter(pk=incident.pk).exists():
        raise Http404("No incident matches the given query.")
    show_reasons = permissions.can_view_narrative(user, incident)
    events = list(IncidentEvent.objects.filter(incident_id=incident.pk).select_related("actor", "assignee"))
    for event in events:
        event.incident = incident  # its data key decrypts the reasons: no query per event
    return [
        IncidentHistoryEntry(
            occurred_at=event.occurred_at,
            action=event.action,
            actor_name=event.actor.display_name,
            from_status=event.from_status,
            to_status=event.to_status,
            verification_status=event.verification_status,
            assignee_name=event.assignee.display_name if event.assignee else "",
            reason=event.reason if show_reasons else None,
        )
        for event in events
    ]


def incident_assignee_candidates(*, incident: Incident) -> QuerySet[User]:
    """Who may be assigned the incident: active WPAs of its office (not for SEA) and senior
    WPAs of its mission. Same rule as `permissions.may_review`."""
    reviewers = Q(groups__name=Role.SENIOR_WPA, memberships__field_office__mission=incident.mission_id)
    if not incident.is_sea:
        reviewers |= Q(groups__name=Role.WPA, memberships__field_office=incident.field_office_id)
    return User.objects.filter(reviewers, is_active=True).distinct().order_by("username")


def location_list(
    *, user: User, parent: Location | None = None, admin_level: int | None = None
) -> QuerySet[Location]:
    """Locations for pickers and the reference API.

    Analysts get admin levels 1-2 only, unless they may also log incidents (which needs the
    finer places).
    """
    rows = Location.objects.select_related("parent")
    if parent is not None:
        rows = rows.filter(parent=parent)
    if admin_level is not None:
        rows = rows.filter(admin_level=admin_level)
    if permissions.is_deidentified_viewer(user) and not permissions.can_create_incident(user):
        rows = rows.filter(admin_level__lte=DEIDENTIFIED_MAX_ADMIN_LEVEL)
    return rows.order_by("pcode")


def party_list(*, include_inactive: bool = False) -> QuerySet[PartyToConflict]:
    """Parties to the conflict, by name (reference data, not sensitive)."""
    rows = PartyToConflict.objects.all()
    return rows if include_inactive else rows.filter(active=True)
